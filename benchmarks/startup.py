"""How fast the app gets a question on screen, and how fast feedback follows an answer.

1. Start-up: the time from launching the app to its first screen, next to a bare Textual app
   that shows one line, measured side by side in this run: ``quiz review`` for a new user (a
   fresh database), and a month in (a copy of a database with 30 days of reviews) every entry
   point: ``quiz`` (home), ``quiz review``, ``quiz practice --topic``, ``quiz exam``,
   ``quiz add``, ``quiz`` on a database with an exam date set, and ``quiz --exam-date`` (which
   sets one); all on the bundled bank. Each runs in its own detached tmux session (100x30);
   ``tmux capture-pane -p`` is polled every 10 ms until the known text appears and the footer's
   keys are on the bottom line (the whole first screen: Textual's footer used to draw its keys
   a frame or more later). Prints the medians and the ratios; target <= 1.5x.
2. Answer to feedback: in-process with Pilot on the same bank, the time from pressing Enter on
   a picked choice to the feedback screen's first frame (the answer is committed to SQLite
   before it is built), each answer given 0.3 s after its question appeared, over several
   review sessions. Prints the median, the 95th percentile and the worst; target: median
   <= 35 ms, p95 <= 40 ms.

    .venv/bin/python benchmarks/startup.py [--runs 5] [--answers 20] [--sessions 6]
                                           [--no-startup]  (part 2 alone)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

BARE_APP = """\
from textual.app import App
from textual.widgets import Static


class Bare(App):
    def compose(self):
        yield Static("bare app ready")


Bare().run()
"""
POLL_S = 0.01
STARTUP_TARGET = 1.5  # times the bare app
READ_S = 0.3  # the shortest a person takes to read a question (the app tidies up meanwhile)
TIMEOUT_S = 30.0
# A tmux server of this run's own, started with its environment (PYTHONPATH included): a
# server already running, someone else's, would run its sessions with the environment it has.
TMUX = ["tmux", "-L", f"quiz-bench-{os.getpid()}"]
WARM_S = 1.5  # a warm-up start runs past its first frame and warm-up, as a user's first one


def footer_drawn(screen: str) -> bool:
    """Whether the bottom line (where every first screen's footer is docked) shows its keys."""
    lines = screen.rstrip("\n").split("\n")
    return len(lines) >= 30 and bool(lines[29].strip())


def time_to_text(command: str, ready: Callable[[str], bool], cwd: Path,
                 linger_s: float = 0.0) -> float:
    """Seconds from launching ``command`` in a fresh tmux session until ``ready(screen)``;
    the session is ended ``linger_s`` later."""
    name = f"bench-{random.randrange(10**9)}"
    start = time.perf_counter()
    subprocess.run([*TMUX, "new-session", "-d", "-s", name, "-x", "100", "-y", "30",
                    "-c", str(cwd), command], check=True)
    try:
        while time.perf_counter() - start < TIMEOUT_S:
            screen = subprocess.run([*TMUX, "capture-pane", "-p", "-t", name],
                                    capture_output=True, text=True).stdout
            if ready(screen):
                elapsed = time.perf_counter() - start
                time.sleep(linger_s)
                return elapsed
            time.sleep(POLL_S)
        raise SystemExit(f"timed out waiting for {command!r}; the screen was:\n{screen}")
    finally:
        subprocess.run([*TMUX, "kill-session", "-t", name], capture_output=True)


def used_database(path: Path, days: int = 30, per_day: int = 40) -> None:
    """A month of daily reviews on the bundled bank: what a returning user starts with."""
    from datetime import UTC, datetime, timedelta

    from quiz.bank import load_bank
    from quiz.paths import bundled_bank
    from quiz.scheduling import review_queue
    from quiz.store import open_store

    bank = load_bank([bundled_bank()])
    clock = [datetime.now(UTC) - timedelta(days=days)]
    store = open_store(path, now=lambda: clock[0])
    rng = random.Random(3)
    for _ in range(days):
        session = store.start_session("review")
        for question in review_queue(bank, store, clock[0], new_limit=15)[:per_day]:
            right = rng.random() < 0.8
            pick = sorted(question.correct_indices) if right else [
                next(i for i, c in enumerate(question.choices) if not c.correct)]
            store.record_answer(question, pick, session_id=session.id, duration_ms=8000)
            clock[0] += timedelta(seconds=20)
        clock[0] += timedelta(days=1)
    store.sync_bank(bank)
    store.close()


def compile_package() -> None:
    """Write quiz's bytecode, as installing it does: the bare app's Textual has its own (pip
    wrote it), and a checkout run with PYTHONDONTWRITEBYTECODE=1 would otherwise compile every
    quiz module from source on each start (~50-150 ms on this project's 2-core machines); and
    the start-up cache (quiz.tui.start_cache) filled, as the first start after installing
    writes it."""
    import compileall

    import quiz

    compileall.compile_dir(Path(quiz.__file__).parent, quiet=1)
    try:  # what the app's start-up cache keeps, as its first start writes it
        from quiz.tui import start_cache
    except ImportError:  # an earlier quiz, measured for comparison
        return
    start_cache.prepare()


def start_files(root: Path) -> tuple[Path, Path, Path, str]:
    """What the starts are measured on, written under ``root``: the bare app's script, a
    database with a month of reviews, a copy of it with an exam date set, and that date."""
    bare = root / "bare.py"
    bare.write_text(BARE_APP)
    used = root / "used.db"
    used_database(used)
    exam_day = (date.today() + timedelta(days=10)).isoformat()
    dated = root / "dated.db"
    shutil.copyfile(used, dated)
    from quiz.learner import default_learner  # whom quiz starts as

    with sqlite3.connect(dated) as conn:
        conn.execute("INSERT INTO setting (key, value, learner) VALUES ('exam_date', ?, ?)",
                     (json.dumps(exam_day), default_learner()))
    conn.close()
    return bare, used, dated, exam_day


def start_database(root: Path, name: str, source: Path | None) -> Path:
    """A database for one start, ``root / name``: a copy of ``source`` (None: a new user's,
    made by the start); the ``mine`` bank a previous ``quiz add`` made is removed."""
    db = root / name
    shutil.rmtree(root / "mine", ignore_errors=True)
    if source is not None:
        shutil.copyfile(source, db)
    return db


def startup(runs: int) -> dict[str, float]:
    """Median seconds to the first screen of each start, and of the bare Textual app."""
    quiz = Path(sys.executable).with_name("quiz")
    compile_package()
    first_question = re.compile(r"\b\d+ left\b")  # the session header: "20 left"
    times: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        bare, used, dated, exam_day = start_files(root)
        home = "Review ("
        starts = {
            "quiz review, new user": ("review", None, first_question.search),
            "quiz review, a month in": ("review", used, first_question.search),
            "quiz (home), a month in": ("", used, lambda s: home in s),
            "quiz practice --topic": ("practice --topic network-policies", used,
                                      first_question.search),
            "quiz exam": ("exam", used, lambda s: "question 1 of" in s),
            "quiz add": ("add --bank mine", used, lambda s: "New question" in s),
            "quiz, exam date set": ("", dated, lambda s: home in s),
            "quiz --exam-date": (f"--exam-date {exam_day}", used, lambda s: home in s),
        }
        # A session kept open keeps the tmux server up between the measured ones.
        subprocess.run([*TMUX, "new-session", "-d", "-s", "bench-keepalive", "sleep 600"],
                       check=True)
        try:
            # Each start once, unmeasured, writing what an installed app's first start writes
            # for the next (the bank cache, the start-up cache) even where bytecode is not.
            for index, (command, source, ready) in enumerate(starts.values()):
                db = start_database(root, f"warm-{index}.db", source)
                time_to_text(f"env -u PYTHONDONTWRITEBYTECODE {quiz} {command} --db {db}",
                             lambda s, r=ready: bool(r(s)) and footer_drawn(s), root,
                             linger_s=WARM_S)
            for run in range(runs):  # interleaved, so all see the same machine load
                for index, (label, (command, source, ready)) in enumerate(starts.items()):
                    db = start_database(root, f"{run}-{index}.db", source)
                    # --db after the command: `quiz add` takes it, not the group's options
                    times.setdefault(label, []).append(time_to_text(
                        f"{quiz} {command} --db {db}",
                        lambda s, r=ready: bool(r(s)) and footer_drawn(s), root))
                times.setdefault("bare Textual app", []).append(time_to_text(
                    f"{sys.executable} {bare}", lambda s: "bare app ready" in s, root))
        finally:
            subprocess.run([*TMUX, "kill-server"], capture_output=True)
    return {label: statistics.median(values) for label, values in times.items()}


async def answer_to_feedback(answers: int, seed: int = 1) -> list[float]:
    """Seconds from Enter (an answer picked) to the feedback screen's first frame, over one
    review session of up to ``answers`` questions (shuffled with ``seed``)."""
    from quiz.bank import load_bank
    from quiz.paths import bundled_bank
    from quiz.store import Store, make_engine
    from quiz.tui.app import make_app
    from quiz.tui.screens.feedback import FeedbackScreen
    from quiz.tui.screens.question import QuestionScreen

    # Screen._compositor_refresh is where Textual renders a screen's frame for the terminal:
    # the first call on the feedback screen is the moment the user sees the feedback.
    drawn: list[float] = []
    draw = FeedbackScreen._compositor_refresh

    def timed_draw(self: FeedbackScreen) -> None:
        draw(self)
        drawn.append(time.perf_counter())

    FeedbackScreen._compositor_refresh = timed_draw  # type: ignore[method-assign]

    bank = load_bank([bundled_bank()])
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(make_engine(Path(tmp) / "bench.db"))
        app = make_app(bank, store, rng=random.Random(seed), start="review")
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause(0.5)  # past the app's warm-up, as a person reading would be
            for _ in range(answers):
                if not isinstance(app.screen, QuestionScreen):
                    break
                await asyncio.sleep(READ_S)  # a person reads the question before answering
                await pilot.press("1")
                drawn.clear()
                start = time.perf_counter()
                await pilot.press("enter")
                while not drawn:
                    await asyncio.sleep(0.001)
                times.append(drawn[0] - start)
                await pilot.pause()
                await pilot.press("enter")
                await pilot.pause()
        store.close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--answers", type=int, default=20, help="per session (at most 20)")
    parser.add_argument("--sessions", type=int, default=6)
    parser.add_argument("--no-startup", action="store_true",
                        help="skip part 1: measure answer to feedback alone")
    args = parser.parse_args()
    if not args.no_startup:
        if shutil.which("tmux") is None:
            raise SystemExit("the start-up benchmark needs tmux")
        medians = startup(args.runs)
        bare_s = medians.pop("bare Textual app")
        print(f"start-up, median of {args.runs} (to the first screen; the bare app: to its "
              "line):")
        for label, seconds in medians.items():
            print(f"  {label:26} {seconds * 1000:5.0f} ms   {seconds / bare_s:5.2f}x   "
                  f"(target <= {STARTUP_TARGET:g}x)")
        print(f"  {'bare Textual app':26} {bare_s * 1000:5.0f} ms")

    if not args.sessions:
        return
    import quiz

    print(f"quiz imported from {Path(quiz.__file__).parent}")
    times = sorted(t for seed in range(args.sessions)
                   for t in asyncio.run(answer_to_feedback(args.answers, seed)))
    print(f"answer to feedback, {len(times)} answers in {args.sessions} sessions "
          "(Enter to the feedback's first frame; target median <= 35 ms, "
          "95th percentile <= 40 ms):")
    print(f"  median           {statistics.median(times) * 1000:7.1f} ms")
    print(f"  95th percentile  {times[int(0.95 * (len(times) - 1))] * 1000:7.1f} ms")
    print(f"  worst            {times[-1] * 1000:7.1f} ms")


if __name__ == "__main__":
    main()
