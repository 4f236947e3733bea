"""The ``quiz`` command line.

Start-up stays lean: nothing here imports textual at module level, so ``quiz --help`` and
``quiz validate`` start fast; the TUI is imported only by the commands that open it.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from quiz import __version__, paths
from quiz.startup import Options, fail, load_bank_or_exit, open_store_or_exit
from quiz.textsafe import printable

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")


def learner_option(func: F) -> F:
    """``--learner NAME``: whose progress in the database a command reads and writes."""
    return click.option(
        "--learner", "learner", metavar="NAME", default=None,
        help="Whose progress to use: several learners can share one database, each with "
        "their own cards, answers, exams and settings [default: $QUIZ_LEARNER, else your "
        "user name].",
    )(func)


def common_options(func: F) -> F:
    """``--bank`` (repeatable), ``--db`` and ``--learner``, on the group and on every
    subcommand."""
    func = learner_option(func)
    func = click.option(
        "--db", "db", metavar="PATH|URL", default=None,
        help="Progress database: a file path or an SQLAlchemy URL "
        "[default: $QUIZ_DB, else progress.db in the user data directory].",
    )(func)
    func = click.option(
        "--bank", "banks", multiple=True, metavar="PATH",
        type=click.Path(path_type=Path),
        help="Question bank directory; repeat for several. Replaces the default list "
        "(the bundled bank plus $QUIZ_BANK, colon-separated).",
    )(func)
    return func


def options(ctx: click.Context, banks: tuple[Path, ...] = (), db: str | None = None,
            learner: str | None = None) -> Options:
    """The group's options with this command's own flags laid over them."""
    base = ctx.find_object(Options) or Options()
    return Options(banks=banks or base.banks, db=db or base.db,
                   learner=base.learner if learner is None else learner,
                   settings=base.settings)


def parse_exam_date(value: str | None) -> dict[str, Any]:
    """``--exam-date``: {} when absent, the date (or None for 'none') to remember; exits 1 on a
    date that is malformed or already past."""
    from datetime import date

    if value is None:
        return {}
    if value.strip().lower() in ("none", "off", "clear"):
        return {"exam_date": None}
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        fail(f"--exam-date {value!r} is not a date: use YYYY-MM-DD, e.g. 2026-12-15 "
             "(or 'none' to forget it)")
    if day < date.today():
        fail(f"--exam-date {day.isoformat()} is in the past: give the day of your exam")
    return {"exam_date": day}


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@common_options
@click.option("--exam-date", "exam_date", metavar="YYYY-MM-DD", default=None,
              help="The day of your real exam, remembered in the database: stats predict your "
              "score on that day, reviews due later are brought forward, and the home screen "
              "offers Cram. 'none' forgets it.")
@click.version_option(__version__, "--version", prog_name="quiz")
@click.pass_context
def cli(ctx: click.Context, banks: tuple[Path, ...], db: str | None, learner: str | None,
        exam_date: str | None) -> None:
    """Study Kubernetes container-networking security for the CNCF KCSA exam.

    Without a command, opens the app on the home screen.
    """
    ctx.obj = Options(banks=banks, db=db, learner=learner,
                      settings=parse_exam_date(exam_date))
    if ctx.invoked_subcommand is None:
        from quiz.tui.run import run_app

        run_app(ctx.obj, start="home")


@cli.command()
@click.argument("bank_paths", nargs=-1, type=click.Path(path_type=Path), metavar="[PATH]...")
@common_options
@click.option("--quiet", "-q", is_flag=True, help="Print only problems and the summary line.")
@click.pass_context
def validate(ctx: click.Context, bank_paths: tuple[Path, ...], banks: tuple[Path, ...],
             db: str | None, learner: str | None, quiet: bool) -> None:
    """Check banks and report every problem as path:line:col: id: message.

    With no PATH, checks the default banks (the bundled bank, your own bank and $QUIZ_BANK, or
    --bank). A PATH that defines no topics of its own (such as the bank `quiz add` writes) is
    checked on top of the default banks: their topics, concepts and ids count, their own
    problems are not listed. Exits 1 if there is any error; warnings alone exit 0.
    """
    from quiz.bank.loader import display_path
    from quiz.bank.userbank import check_on_defaults

    defaults = options(ctx, banks, db, learner).bank_paths()
    targets = list(bank_paths) or defaults
    checked = check_on_defaults(targets, defaults, similar=True, for_use=False)
    problems = checked.problems
    for p in problems:
        click.echo(str(p))
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    names = printable(", ".join(display_path(Path(t)) for t in targets))
    if checked.based_on:
        names += f" (on {printable(', '.join(display_path(b) for b in checked.based_on))})"
    verdict = "ok" if not problems else ", ".join(
        part for part in (
            f"{errors} error{'s' * (errors != 1)}" if errors else "",
            f"{warnings} warning{'s' * (warnings != 1)}" if warnings else "",
        ) if part
    )
    click.echo(f"{printable(names)}: {checked.summary()}: {verdict}")
    sys.exit(1 if errors else 0)


@cli.command()
@click.argument("bank_paths", nargs=-1, type=click.Path(path_type=Path), metavar="[PATH]...")
@common_options
@click.pass_context
def report(ctx: click.Context, bank_paths: tuple[Path, ...], banks: tuple[Path, ...],
           db: str | None, learner: str | None) -> None:
    """Print a bank's coverage as Markdown: per topic, per source section, per difficulty."""
    from quiz.bank.report import coverage_report

    opts = options(ctx, banks or bank_paths, db, learner)
    click.echo(coverage_report(load_bank_or_exit(opts)), nl=False)


@cli.command()
@click.argument("file", required=False,
                type=click.Path(path_type=Path, dir_okay=False, allow_dash=True))
@click.option("--json", "as_json", is_flag=True,
              help="Print every (from, to, port, protocol, allowed, transport) as JSON instead.")
@click.pass_context
def lab(ctx: click.Context, file: Path | None, as_json: bool) -> None:
    """Explore what NetworkPolicies allow: a reachability matrix of FILE's pods.

    FILE holds Namespaces, Pods, workloads (Deployments, StatefulSets, DaemonSets, ReplicaSets,
    Jobs, CronJobs: one pod per pod template), NetworkPolicies, ClusterNetworkPolicies, and for
    Istio Services, PeerAuthentications and DestinationRules (several YAML documents, or the
    output of `kubectl get ns,pods,deploy,svc,netpol,peerauthentication,destinationrule -A -o
    yaml`); other kinds are skipped and counted. FILE `-` reads standard input. Without FILE,
    opens a three-namespace example. `t` (and each --json row's "transport") shows how a flow
    arrives under Istio: mtls, plaintext or rejected, and why.
    """
    from quiz import netpol

    path = file or paths.lab_example()
    try:
        if str(path) == "-":
            from quiz.netpol.limits import read_manifest_stream

            path = Path(STDIN_NAME)
            cluster = netpol.load_manifests_text(read_manifest_stream(_stdin()),
                                                 origin=STDIN_NAME)
        else:
            cluster = netpol.load_manifests_file(path)
    except netpol.ManifestError as exc:
        fail(str(exc))
    for note in cluster.notes:
        click.echo(f"quiz lab: {printable(note)}", err=True)
    if as_json:
        from quiz.netpol.limits import check_flow_count
        from quiz.netpol.matrix import class_matrix

        try:
            check_flow_count(cluster.origin, class_matrix(cluster).counts()[1])
        except netpol.ManifestError as exc:
            fail(str(exc))
        records = netpol.matrix_to_records(netpol.reachability_matrix(cluster))
        from quiz.netpol.transport_claims import transport_records

        records = transport_records(cluster, records)  # how each allowed flow arrives (Istio)
        click.echo(json.dumps(records, indent=2))
        return
    from quiz.tui.run import run_lab

    if str(path) == STDIN_NAME and not _terminal_as_stdin():
        fail("quiz lab -: the manifests came on standard input and there is no terminal to "
             "run the lab on; add --json")
    run_lab(cluster, path)


STDIN_NAME = "<stdin>"


def _stdin() -> Any:
    """Standard input's bytes, or exit 1 in one line if it is closed (``quiz lab - <&-``:
    Python then has no ``sys.stdin`` at all)."""
    if sys.stdin is None:
        fail(f"{STDIN_NAME}: cannot read: standard input is closed")
    return sys.stdin.buffer


def _terminal_as_stdin() -> bool:
    """After reading manifests from a pipe, the lab's keys come from the terminal: reopen it as
    standard input. False when there is none (a script, a CI job)."""
    if sys.stdin.isatty():
        return True
    import os

    try:
        fd = os.open("/dev/tty", os.O_RDWR)
    except OSError:
        return False
    os.dup2(fd, 0)
    os.close(fd)
    sys.stdin = open(0, encoding="utf-8", closefd=False)  # noqa: SIM115 - fd 0 stays open
    return True


@cli.command()
@common_options
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of a table.")
@click.pass_context
def stats(ctx: click.Context, banks: tuple[Path, ...], db: str | None, learner: str | None,
          as_json: bool) -> None:
    """Show progress: per-topic counts, reviews, accuracy, streak, exams, orphaned questions.

    A question is mastered when it is in review with an fsrs stability of at least 21 days.
    "Today" and the streak follow your local time zone.
    """
    from quiz.readiness import predicted_score, readiness
    from quiz.scheduling import due_today
    from quiz.stats import compute_stats, format_readiness, format_stats, readiness_to_dict
    from quiz.store import StoreError
    from quiz.store.once import read_once
    from quiz.streak import study_streak

    opts = options(ctx, banks, db, learner)
    store = open_store_or_exit(opts, read_only=True)
    try:
        bank = load_bank_or_exit(opts)
        reads = read_once(store)  # stats and readiness read the same cards and counts
        now = reads.now()
        shared = {"streak_days": study_streak(reads, now),  # each computed once, for both
                  "today_due": due_today(bank, reads, now)}
        figures = compute_stats(bank, reads, now, charts=True, **shared)
        ready = readiness(bank, reads, now, **shared)
        current = predicted_score(bank, reads, now) if ready.exam_date else ready.prediction
    except StoreError as exc:
        fail(str(exc), code=2)
    finally:
        store.close()
    learner = opts.learner_name()
    if as_json:
        click.echo(json.dumps({"learner": learner, **figures.to_dict(),
                               "readiness": readiness_to_dict(ready, current)}, indent=2))
    else:
        from quiz.learner import shown_learner

        if shown_learner(learner) is not None:  # not the user's own: say whose figures
            click.echo(f"learner    {printable(learner)}\n")
        click.echo(format_stats(figures) + "\n" + format_readiness(ready, current))


@cli.command()
@common_options
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of text.")
@click.option("--topic", metavar="ID", help="List only this topic's concepts and questions "
              "(the learners' figures stay whole).")
@click.option("--min-answers", "min_answers", type=click.IntRange(min=1), metavar="N",
              default=5, show_default=True,
              help="Concepts and questions with at least N answers from the class rank first.")
@click.option("--tui", is_flag=True, help="Open the cohort screen instead of printing.")
@click.pass_context
def cohort(ctx: click.Context, banks: tuple[Path, ...], db: str | None, learner: str | None,
           as_json: bool, topic: str | None, min_answers: int, tui: bool) -> None:
    """The class in this database, for an instructor: each learner's answers, accuracy,
    predicted exam score (pass or below), last answer and reviews due today; then the
    concepts and the questions the class misses most, with their error rate and counts
    (wrong of answered, learners who missed of those who answered).

    Every answer counts: review, practice, and the answered questions of mock exams once
    handed in. A question's concepts are the loaded bank's; answers to questions no longer in it
    count in their learner's figures and under "not in this bank" only. Concepts and
    questions with at least --min-answers answers come first, highest error rate first.
    """
    from quiz.tui.run import check_topic

    if tui and as_json:
        fail("--json prints the figures and --tui opens the screen: give one of them")
    opts = options(ctx, banks, db, learner)
    if tui:
        from quiz.tui.run import run_app

        run_app(opts, start="cohort", topic=topic, min_answers=min_answers)
        return
    from quiz.cohort import class_figures, format_cohort, learner_stores
    from quiz.store import StoreError

    bank = load_bank_or_exit(opts)
    check_topic(bank, topic, None)
    store = open_store_or_exit(opts)
    try:
        figures = class_figures(bank, learner_stores(store), store.now(), topic=topic,
                                min_answers=min_answers)
    except StoreError as exc:
        fail(str(exc), code=2)
    finally:
        store.close()
    click.echo(json.dumps(figures.to_dict(), indent=2) if as_json else format_cohort(figures))


@cli.command()
@common_options
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of text.")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True,
              help="Seed of the simulation: the same seed gives the same figures.")
@click.pass_context
def plan(ctx: click.Context, banks: tuple[Path, ...], db: str | None, learner: str | None,
         as_json: bool, seed: int) -> None:
    """Plan to the exam date: simulate the days until it (reviews per day, new questions a
    day to see the whole bank, the predicted score per topic with a band) for your settings
    and for recommended ones. Needs an exam date (settings, or quiz --exam-date)."""
    from quiz.plan import NoPlan, make_plan
    from quiz.store import StoreError

    opts = options(ctx, banks, db, learner)
    store = open_store_or_exit(opts, read_only=True)
    try:
        bank = load_bank_or_exit(opts)
        result = make_plan(bank, store, store.now(), seed=seed)
    except NoPlan as exc:
        fail(str(exc))
    except StoreError as exc:
        fail(str(exc), code=2)
    finally:
        store.close()
    if as_json:
        click.echo(json.dumps(result.to_json(), indent=2))
        return
    click.echo("\n".join(result.lines()))
    click.echo("\nPredicted on the exam morning, per topic (recommended settings):")
    for topic, figure in result.recommended.per_topic.items():
        name = bank.topics[topic].title if topic in bank.topics else topic
        click.echo(f"  {printable(name):<40} {100 * figure.mean:3.0f}%  "
                   f"({100 * figure.low:.0f}-{100 * figure.high:.0f}%)")


@cli.command()
@common_options
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of text.")
@click.option("--reset", is_flag=True,
              help="Go back to fsrs's default parameters (every card rescheduled).")
@click.pass_context
def optimize(ctx: click.Context, banks: tuple[Path, ...], db: str | None, learner: str | None,
             as_json: bool, reset: bool) -> None:
    """Fit the scheduler's parameters to your own answers (the fsrs-rs engine Anki runs).

    Your review and exam answers are turned into the engine's training items as Anki does;
    the fitted parameters are compared with your current ones on a time-series split of that
    history (log loss and RMSE over bins: lower predicts better) and saved, with every card
    rescheduled, only if they predict better. Progress goes to stderr. The bank is not read.
    """
    from quiz import optimize as optimizing
    from quiz.store import StoreError

    store = open_store_or_exit(options(ctx, banks, db, learner))
    try:
        if reset:
            changed = optimizing.reset(store)
            if as_json:
                click.echo(json.dumps({"reset": True, "rescheduled": changed}, indent=2))
            else:
                click.echo(f"Back to fsrs's default parameters; {changed} cards rescheduled.")
            return
        bar = _ProgressLine()
        try:
            outcome = optimizing.optimize(store, progress=bar)
        finally:
            bar.close()
    except optimizing.OptimizeError as exc:
        fail(str(exc))
    except StoreError as exc:
        fail(str(exc), code=2)
    finally:
        store.close()
    click.echo(json.dumps(optimizing.outcome_to_dict(outcome), indent=2) if as_json
               else optimizing.format_outcome(outcome))


class _ProgressLine:
    """A progress bar on stderr, redrawn in place on a terminal, a line per step otherwise."""

    WIDTH = 24

    def __init__(self) -> None:
        self.live = sys.stderr.isatty()
        self.last = ""

    def __call__(self, what: str, done: float) -> None:
        filled = round(self.WIDTH * done)
        line = f"[{'#' * filled}{'.' * (self.WIDTH - filled)}] {done:4.0%}  {what}"
        if self.live:
            click.echo(f"\r{line:<78}", err=True, nl=False)
        elif what != self.last:
            click.echo(line, err=True)
        self.last = what

    def close(self) -> None:
        if self.live and self.last:
            click.echo("", err=True)


@cli.command()
@common_options
@click.pass_context
def browse(ctx: click.Context, banks: tuple[Path, ...], db: str | None,
           learner: str | None) -> None:
    """Every question of the banks: search, filter by topic, concept, tag or state, open one,
    flag, suspend, practise, add or edit."""
    from quiz.tui.run import run_app

    run_app(options(ctx, banks, db, learner), start="browse")


@cli.command()
@common_options
@click.pass_context
def review(ctx: click.Context, banks: tuple[Path, ...], db: str | None,
           learner: str | None) -> None:
    """Today's spaced-repetition review: due questions first, then today's new ones."""
    from quiz.tui.run import run_app

    run_app(options(ctx, banks, db, learner), start="review")


@cli.command()
@click.option("--topic", metavar="ID", help="Practise every question of this topic.")
@click.option("--concept", metavar="ID", help="Practise the questions on this concept.")
@click.option("--tag", metavar="TAG", help="Only the questions with this tag (kcsa, "
              "beyond-kcsa, manifest …); alone: every topic's.")
@common_options
@click.pass_context
def practice(ctx: click.Context, topic: str | None, concept: str | None, tag: str | None,
             banks: tuple[Path, ...], db: str | None, learner: str | None) -> None:
    """Practise a topic (or a concept, or a tag) without changing the review schedule.

    Answers are logged for the stats; unknown ids and tags are reported with the valid ones.
    """
    opts = options(ctx, banks, db, learner)
    if topic is None and concept is None and tag is None:
        ids = ", ".join(sorted(load_bank_or_exit(opts).topics))
        fail(f"say what to practise: --topic ID, --concept ID or --tag TAG; the topics are: "
             f"{ids}")
    from quiz.tui.run import run_app

    run_app(opts, start="practice", topic=topic, concept=concept, tag=tag)


@cli.command()
# Read as text and checked by quiz.exam_setup: one message and exit 1 for any bad value.
@click.option("--questions", metavar="N", default="60", show_default=True,
              help="Questions on the paper, drawn by topic weight (1-300).")
@click.option("--minutes", metavar="N", default="90", show_default=True,
              help="Time limit in minutes (1-600).")
@click.option("--pass", "pass_percent", metavar="PERCENT", default="75", show_default=True,
              help="Pass mark, percent of the questions (1-100).")
@click.option("--all", "all_questions", is_flag=True,
              help="Draw from every question, not only those tagged kcsa (the default; a bank "
              "with no kcsa questions draws from all).")
@common_options
@click.pass_context
def exam(ctx: click.Context, questions: str, minutes: str, pass_percent: str,
         all_questions: bool, banks: tuple[Path, ...], db: str | None, learner: str | None) -> None:
    """A timed mock exam (the KCSA's format by default), no feedback until it is handed in.

    The paper is drawn from the questions tagged kcsa (short, in the real exam's style);
    --all adds the deeper ones tagged beyond-kcsa.

    The clock keeps running if you leave: starting again offers to resume an unfinished
    attempt, or hands it in as it stood once its time is up.
    """
    from quiz.exam_setup import exam_format

    try:
        fmt = exam_format(questions, minutes, pass_percent, all_questions)
    except ValueError as exc:
        fail(str(exc))
    from quiz.tui.run import run_app

    run_app(options(ctx, banks, db, learner), start="exam", exam_format=fmt)


@cli.command()
@click.option("--bank", "bank_dir", metavar="DIR", default=None,
              type=click.Path(path_type=Path, file_okay=False),
              help="The bank the questions are written to (DIR is created if need be) "
              "[default: your own bank, `bank` in the user data directory]. It is loaded with "
              "the usual banks.")
@click.option("--from", "source", metavar="FILE", default=None,
              help="Add the questions of FILE (the bank format: topic: and questions:; - reads "
              "standard input) without opening the form: all of them, or none if any has an "
              "error.")
@click.option("--topic", metavar="ID", help="Start the form on this topic.")
@click.option("--db", "db", metavar="PATH|URL", default=None,
              help="Progress database, as for the other commands.")
@learner_option
@click.pass_context
def add(ctx: click.Context, bank_dir: Path | None, source: str | None, topic: str | None,
        db: str | None, learner: str | None) -> None:
    """Write a new question in a form that checks it as you type (save: F2), or add the
    questions of a file (--from FILE).

    The questions are added to their topic's file in your bank, in the bank's house style;
    nothing else in the file changes. They can be browsed (b) and practised at once.
    """
    opts = options(ctx, (), db, learner)
    target = bank_dir or paths.user_bank()
    if paths.is_installed(target):
        fail(f"{printable(str(target))} is part of the installed app and replaced on upgrade: "
             "add questions to your own bank (leave out --bank)")
    if source is not None:
        if topic is not None:
            fail("--topic is for the form: with --from, the file's `topic:` says where its "
                 "questions go")
        from quiz.bank.importing import add_from

        src = _source_file(source)
        written, count, warnings = _or_problems(lambda: add_from(src, target, opts.bank_paths()))
        _report_written(warnings, target)
        click.echo(f"added {count} question{'s' * (count != 1)} to "
                   f"{printable(_shown(written))}")
        return
    from quiz.tui.authoring import with_bank

    # A directory that holds nothing yet is not a bank: the first question written makes it one.
    loaded = [p for p in with_bank(opts.bank_paths(), target)
              if p.resolve() != target.resolve() or paths.is_bank(target)]
    from quiz.tui.run import run_app

    run_app(Options(banks=tuple(loaded), db=opts.db, learner=opts.learner), start="add",
            topic=topic,
            user_bank=target, bank_paths=loaded)


@cli.command()
@click.argument("question_id", metavar="ID")
@click.option("--from", "source", metavar="FILE", required=True,
              help="The question to put in its place: a question file holding just it, or the "
              "bare question mapping (- reads standard input).")
@common_options
@click.pass_context
def edit(ctx: click.Context, question_id: str, source: str, banks: tuple[Path, ...],
         db: str | None, learner: str | None) -> None:
    """Replace question ID, in whichever bank file holds it, by the one in FILE.

    Only that question's lines change; its id never does. Nothing is written if FILE has an
    error. A bundled question of an installed quiz is read-only: copy it to your bank instead.
    """
    from quiz.bank.importing import edit_from

    opts = options(ctx, banks, db, learner)
    src = _source_file(source)
    written, changed, warnings = _or_problems(lambda: edit_from(src, question_id,
                                                                opts.bank_paths()))
    _report_written(warnings)
    verb = "replaced" if changed else "unchanged (the same question):"
    click.echo(f"{verb} {printable(question_id)} in {printable(_shown(written))}")


@cli.command()
@common_options
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Anything but this machine's own (127.0.0.1, ::1, "
              "localhost) lets whoever reaches the port use the app: a warning says so.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True,
              help="Port to listen on.")
@click.pass_context
def serve(ctx: click.Context, banks: tuple[Path, ...], db: str | None, learner: str | None,
          host: str, port: int) -> None:
    """Serve the app to a web browser (textual-serve): open http://HOST:PORT in a tab.

    Each tab runs its own copy of the app with this command's options (--bank, --db and the
    others given before `serve`), all on the same database; --exam-date is saved once, here.
    Stop with Ctrl+C.
    """
    from quiz.tui import serve as serving

    host = host.strip().removeprefix("[").removesuffix("]")  # [::1] as in a URL
    opts = options(ctx, banks, db, learner)
    load_bank_or_exit(opts)  # bad input is one line here, not a dead tab in the browser
    open_store_or_exit(opts).close()
    problem = serving.bind_problem(host, port)
    if problem:
        fail(problem)
    warning = serving.exposure_warning(host, port)
    if warning:
        click.echo(warning, err=True)
    serving.serve(_passed_on(ctx), host, port)


# Group options that write a setting: `serve` saves it once; were each tab to save it again,
# a tab opened later would undo a change made in the app (the exam date in Settings).
_SAVED_ONCE = {"exam_date"}


def _passed_on(ctx: click.Context) -> list[str]:
    """The group's options as this run has them (a subcommand's own --bank/--db over the
    group's), written back as arguments: what each served tab's `quiz` is started with. Every
    option of the group goes through (but settings, saved once), so a new one needs nothing
    here."""
    root = ctx.find_root()
    args: list[str] = []
    for param in root.command.params:
        if not isinstance(param, click.Option) or param.is_eager or not param.name \
                or param.name in _SAVED_ONCE:
            continue
        value = ctx.params.get(param.name) or root.params.get(param.name)
        if value is None or value is False or value == ():
            continue
        flag = max(param.opts, key=len)
        if param.is_flag:
            args.append(flag)
            continue
        for item in value if param.multiple else (value,):
            args += [flag, str(item)]
    return args


@cli.group()
def export() -> None:
    """Write the question bank out for other programs (export anki: an Anki deck)."""


@export.command("anki")
@click.argument("file", type=click.Path(path_type=Path), metavar="FILE.apkg")
@click.option("--topic", metavar="ID", help="Only this topic's questions.")
@click.option("--tag", metavar="T", help="Only the questions tagged T.")
@common_options
@click.pass_context
def export_anki(ctx: click.Context, file: Path, topic: str | None, tag: str | None,
                banks: tuple[Path, ...], db: str | None, learner: str | None) -> None:
    """Write the banks' questions to FILE.apkg, an Anki deck: one note per question (the stem
    with its manifests highlighted, the choices lettered; on the back the key, every choice's
    why, the explanation and the concept cards with their links), the topic and tags as Anki
    tags. Export again after the bank changes: importing the new file updates the notes
    instead of adding copies. Your progress is not exported.
    """
    from quiz.export.anki import ExportError, export_anki, writable_target

    opts = options(ctx, banks, db, learner)
    try:
        writable_target(file)  # before the bank is loaded: a wrong path is the first message
        done = export_anki(load_bank_or_exit(opts), file, topic=topic, tag=tag)
    except ExportError as exc:
        fail(str(exc))
    click.echo(f"wrote {done.notes} note{'s' * (done.notes != 1)} to "
               f"{printable(str(done.path))}: in Anki, File > Import")


@cli.command("paths")
@common_options
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead.")
@click.pass_context
def paths_command(ctx: click.Context, banks: tuple[Path, ...], db: str | None, learner: str | None,
                  as_json: bool) -> None:
    """Show where everything lives: the database, the cache, your own bank, the banks loaded.

    Your own bank (`bank` in the user data directory) is where `quiz add` writes; it is loaded
    with the bundled bank once it holds anything.
    """
    opts = options(ctx, banks, db, learner)
    where = {"database": _safe_db(opts.db_target()), "cache": str(paths.cache_dir()),
             "user_bank": str(paths.user_bank()),
             "banks": [str(b) for b in opts.bank_paths()]}
    if as_json:
        click.echo(json.dumps(where, indent=2))
        return
    click.echo(f"database:  {printable(where['database'])}")
    click.echo(f"cache:     {printable(where['cache'])}")
    mine = "" if paths.is_bank(paths.user_bank()) else " (empty: `quiz add` creates it)"
    click.echo(f"user bank: {printable(where['user_bank'])}{mine}")
    for n, bank in enumerate(where["banks"]):
        click.echo(f"{'banks:' if n == 0 else '':<11}{printable(bank)}")


def _safe_db(target: str) -> str:
    """The database as the user gave it, a URL's password hidden."""
    if "://" not in target:
        return target
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        from quiz.store.engine import shown_url

        return shown_url(make_url(target))
    except (ArgumentError, ValueError):
        return target.split("://", 1)[0] + "://…"


def _source_file(source: str) -> Any:
    """``--from``'s file read and parsed (``-``: standard input); exits 1 if it cannot be."""
    from quiz.bank.importing import ImportFailed, read_source, read_stream

    try:
        return read_stream(_stdin()) if source == "-" else read_source(Path(source))
    except ImportFailed as exc:
        _fail_with(exc)


def _or_problems(action: Callable[[], T]) -> T:
    """``action()``, or its problems (each at its place in FILE) and exit 1."""
    from quiz.bank.importing import ImportFailed

    try:
        return action()
    except ImportFailed as exc:
        _fail_with(exc)


def _fail_with(exc: Any) -> NoReturn:
    for p in exc.problems:
        click.echo(str(p), err=True)
    fail(printable(str(exc)))


def _report_written(warnings: list[Any], bank_dir: Path | None = None) -> None:
    """Warnings on stderr; beside a bank written to, the schema its files' header points at."""
    for p in warnings:
        click.echo(str(p), err=True)
    if bank_dir is not None:
        from quiz.bank.userbank import write_schema

        write_schema(bank_dir)


def _shown(path: Path) -> str:
    from quiz.bank.loader import display_path

    return display_path(path)


@cli.command()
@click.argument("kind", type=click.Choice(["questions", "concepts"]), default="questions")
def schema(kind: str) -> None:
    """Print the JSON Schema of a question file (default) or of concepts.yaml.

    Save it next to your bank and point your editor at it with a first line such as
    `# yaml-language-server: $schema=questions.schema.json`.
    """
    from quiz.bank.schema import json_schema

    click.echo(json.dumps(json_schema(kind), indent=2))


def main(argv: list[str] | None = None) -> NoReturn:
    """Console-script entry point: usage errors exit 1, as the README says (Click's is 2,
    which the README keeps for a database that cannot be used); ``--help`` exits 0."""
    try:
        code = cli.main(args=argv, prog_name="quiz", standalone_mode=False)
    except click.ClickException as exc:
        exc.show()
        sys.exit(1)
    except click.Abort as exc:
        click.echo("Aborted!", err=True)
        sys.exit(130 if isinstance(exc.__cause__, KeyboardInterrupt) else 1)
    sys.exit(code if isinstance(code, int) else 0)
