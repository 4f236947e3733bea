"""The ``quiz`` command line.

Start-up stays lean: nothing here imports textual at module level, so ``quiz --help`` and
``quiz validate`` start fast; the TUI is imported only by the commands that open it.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from quiz import __version__, paths

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class Options:
    """Options every command shares; a subcommand's own flags override the group's."""

    banks: tuple[Path, ...] = ()
    db: str | None = None

    def bank_paths(self) -> list[Path]:
        return list(self.banks) if self.banks else paths.default_banks()

    def db_target(self) -> str:
        return self.db or paths.default_db()


def common_options(func: F) -> F:
    """``--bank`` (repeatable) and ``--db``, on the group and on every subcommand."""
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


def options(ctx: click.Context, banks: tuple[Path, ...] = (), db: str | None = None) -> Options:
    """The group's options with this command's own flags laid over them."""
    base = ctx.find_object(Options) or Options()
    return Options(banks=banks or base.banks, db=db or base.db)


def fail(message: str, code: int = 1) -> NoReturn:
    """Print one clear message on stderr and exit without a traceback."""
    click.echo(f"quiz: {message}", err=True)
    sys.exit(code)


def load_bank_or_exit(opts: Options) -> Any:
    """The merged bank, or the validator's report on stderr and exit 1."""
    from quiz.bank import check_bank
    from quiz.bank.cache import cache_key, load_cached, save_cached

    key = cache_key(opts.bank_paths())
    cached = load_cached(paths.cache_dir(), key) if key else None
    if cached is not None:
        return cached
    bank, problems = check_bank(opts.bank_paths(), similar=False)
    if bank is not None and key:
        save_cached(paths.cache_dir(), key, bank)
    if bank is None:
        for p in problems:
            if p.severity == "error":
                click.echo(str(p), err=True)
        errors = sum(p.severity == "error" for p in problems)
        fail(f"the question bank has {errors} error{'s' * (errors != 1)}; "
             "fix them (quiz validate lists them all) and start again")
    return bank


def open_store_or_exit(opts: Options, **store_options: Any) -> Any:
    """The progress store (checked, migrated), or its problem on stderr and exit 2.

    ``store_options`` go to ``quiz.store.Store`` (``now=``, ``enable_fuzzing=``).
    """
    from quiz.store import StoreError, open_store

    try:
        return open_store(opts.db_target(), **store_options)
    except StoreError as exc:
        fail(str(exc), code=2)


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@common_options
@click.version_option(__version__, "--version", prog_name="quiz")
@click.pass_context
def cli(ctx: click.Context, banks: tuple[Path, ...], db: str | None) -> None:
    """Study Kubernetes container-networking security for the CNCF KCSA exam.

    Without a command, opens the app on the home screen.
    """
    ctx.obj = Options(banks=banks, db=db)
    if ctx.invoked_subcommand is None:
        from quiz.tui.run import run_app

        run_app(ctx.obj, start="home")


@cli.command()
@click.argument("bank_paths", nargs=-1, type=click.Path(path_type=Path), metavar="[PATH]...")
@common_options
@click.option("--quiet", "-q", is_flag=True, help="Print only problems and the summary line.")
@click.pass_context
def validate(ctx: click.Context, bank_paths: tuple[Path, ...], banks: tuple[Path, ...],
             db: str | None, quiet: bool) -> None:
    """Check banks and report every problem as path:line:col: id: message.

    With no PATH, checks the default banks (the bundled bank plus $QUIZ_BANK, or --bank).
    Exits 1 if there is any error; warnings alone exit 0.
    """
    from quiz.bank import check_bank

    targets = list(bank_paths) or options(ctx, banks, db).bank_paths()
    bank, problems = check_bank(targets, similar=True)
    for p in problems:
        click.echo(str(p))
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    from quiz.bank.loader import display_path

    names = ", ".join(display_path(Path(t)) for t in targets)
    counts = bank.summary() if bank is not None else "not loaded"
    verdict = "ok" if not problems else ", ".join(
        part for part in (
            f"{errors} error{'s' * (errors != 1)}" if errors else "",
            f"{warnings} warning{'s' * (warnings != 1)}" if warnings else "",
        ) if part
    )
    click.echo(f"{names}: {counts}: {verdict}")
    sys.exit(1 if errors else 0)


@cli.command()
@click.argument("bank_paths", nargs=-1, type=click.Path(path_type=Path), metavar="[PATH]...")
@common_options
@click.pass_context
def report(ctx: click.Context, bank_paths: tuple[Path, ...], banks: tuple[Path, ...],
           db: str | None) -> None:
    """Print a bank's coverage as Markdown: per topic, per source section, per difficulty."""
    from quiz.bank.report import coverage_report

    opts = options(ctx, banks or bank_paths, db)
    click.echo(coverage_report(load_bank_or_exit(opts)), nl=False)


@cli.command()
@click.argument("file", required=False, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--json", "as_json", is_flag=True,
              help="Print every (from, to, port, protocol, allowed) as JSON instead.")
@click.pass_context
def lab(ctx: click.Context, file: Path | None, as_json: bool) -> None:
    """Explore what NetworkPolicies allow: a reachability matrix of FILE's pods.

    FILE holds Namespaces, Pods and NetworkPolicies (several YAML documents, or the output of
    `kubectl get ns,pods,netpol -A -o yaml`). Without FILE, opens a three-namespace example.
    """
    from quiz import netpol

    path = file or paths.lab_example()
    try:
        cluster = netpol.load_manifests_file(path)
    except netpol.ManifestError as exc:
        fail(str(exc))
    if as_json:
        records = netpol.matrix_to_records(netpol.reachability_matrix(cluster))
        click.echo(json.dumps(records, indent=2))
        return
    from quiz.tui.run import run_lab

    run_lab(cluster, path)


@cli.command()
@common_options
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of a table.")
@click.pass_context
def stats(ctx: click.Context, banks: tuple[Path, ...], db: str | None, as_json: bool) -> None:
    """Show progress: per-topic counts, reviews, accuracy, streak, exams, orphaned questions.

    A question is mastered when it is in review with an fsrs stability of at least 21 days.
    "Today" and the streak follow your local time zone.
    """
    from quiz.stats import compute_stats, format_stats
    from quiz.store import StoreError

    opts = options(ctx, banks, db)
    store = open_store_or_exit(opts)
    try:
        bank = load_bank_or_exit(opts)
        figures = compute_stats(bank, store, store.now())
    except StoreError as exc:
        fail(str(exc), code=2)
    finally:
        store.close()
    click.echo(json.dumps(figures.to_dict(), indent=2) if as_json else format_stats(figures))


@cli.command()
@common_options
@click.pass_context
def review(ctx: click.Context, banks: tuple[Path, ...], db: str | None) -> None:
    """Today's spaced-repetition review: due questions first, then today's new ones."""
    from quiz.tui.run import run_app

    run_app(options(ctx, banks, db), start="review")


@cli.command()
@click.option("--topic", metavar="ID", help="Practise every question of this topic.")
@click.option("--concept", metavar="ID", help="Practise the questions on this concept.")
@common_options
@click.pass_context
def practice(ctx: click.Context, topic: str | None, concept: str | None,
             banks: tuple[Path, ...], db: str | None) -> None:
    """Practise a topic (or a concept) without changing the review schedule.

    Answers are logged for the stats; unknown ids are reported with the valid ones.
    """
    opts = options(ctx, banks, db)
    if topic is None and concept is None:
        ids = ", ".join(sorted(load_bank_or_exit(opts).topics))
        fail(f"say what to practise: --topic ID or --concept ID; the topics are: {ids}")
    from quiz.tui.run import run_app

    run_app(opts, start="practice", topic=topic, concept=concept)


@cli.command()
@click.argument("kind", type=click.Choice(["questions", "concepts"]), default="questions")
def schema(kind: str) -> None:
    """Print the JSON Schema of a question file (default) or of concepts.yaml.

    Save it next to your bank and point your editor at it with a first line such as
    `# yaml-language-server: $schema=questions.schema.json`.
    """
    from quiz.bank.schema import json_schema

    click.echo(json.dumps(json_schema(kind), indent=2))


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="quiz")
