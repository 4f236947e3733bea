"""How fast the progress figures come on 10,000 cards and 100,000 logs, next to bare SQL.

Builds, in a temporary directory, the database of ``benchmarks/store.py`` (10,000 cards and
100,000 review logs simulated through fsrs over the past year, plus a few mock exams) and its
in-memory bank, then times, interleaved so machine noise hits all alike:

(a) a bare ``sqlite3`` aggregate: the same figures computed in SQL only on a fresh read-only
    connection (per-topic new/learning/review/mastered/suspended/due-today counts, answers
    and accuracy overall/7/30 days, the answer days the streak counts, orphaned ids, exams,
    each topic's mean retrievability (fsrs's formula in SQL), answers per day for 30 days,
    the 14-day due forecast, and the history charts' figures: twelve weeks of answers by
    week, question and true-retention kind, answers per question, durations by mode, the
    cards' difficulty and lapses): the baseline;
(b) ``quiz stats --json`` in-process (click's runner, the command as it runs: opening the
    database read-only, checking it, every figure, the JSON; the bank is handed in, as
    loading it is ``bank_load.py``'s business);
(c) the stats screen: from ``open_stats`` to the screen's first frame, in the app (Pilot) on
    the real store; it reads the history charts' figures after that frame, so its ratio is
    to the aggregate without them. That frame shows the first section (the prediction); the
    others' figures are read in a thread right after it: the times until they are filled
    (all but the weeks', then every one) are printed too, and the longest the event loop
    was busy meanwhile (how long a key could wait).

Prints the medians and the ratios to (a); target <= 3x.

    .venv/bin/python benchmarks/stats.py [--cards 10000] [--logs 100000] [--runs 5]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from store import make_bank, populate  # noqa: E402  (benchmarks/store.py)

from quiz.bank import Bank  # noqa: E402
from quiz.cards import make_scheduler  # noqa: E402
from quiz.store import Store, make_engine, tallies  # noqa: E402

TARGET = 3.0


def add_exams(store: Store, bank: Bank, count: int, rng: random.Random) -> None:
    """``count`` finished mock exams of 60 questions."""
    ids = list(bank.questions)
    for _ in range(count):
        paper = rng.sample(ids, min(60, len(ids)))
        attempt = store.start_exam(paper, time_limit_s=5400, pass_mark=0.75)
        store.finish_session(attempt.session.id, score=rng.randrange(len(paper) + 1),
                             total=len(paper), per_topic={})


def bare_sql(path: Path, now: datetime, decay: float, factor: float,
             history: bool = True) -> dict[str, object]:
    """Every figure of ``quiz stats`` computed by SQLite alone (the topic of a question is the
    part of its id before ``-q``, as ``make_bank`` names them); ``history=False``: without the
    history charts' passes (what the stats screen reads before its first frame)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    at = now.strftime("%Y-%m-%d %H:%M:%S.%f")
    topic = "substr(question_id, 1, instr(question_id, '-q') - 1)"
    started = "last_review IS NOT NULL"
    figures: dict[str, object] = {}
    figures["topics"] = conn.execute(
        f"SELECT {topic}, count(*), "
        f"sum(suspended = 0 AND NOT {started}), "
        f"sum(suspended = 0 AND {started} AND state != 2), "
        f"sum(suspended = 0 AND {started} AND state = 2), "
        f"sum(suspended = 0 AND {started} AND state = 2 AND stability >= 21), "
        "sum(suspended), "
        f"sum(suspended = 0 AND {started} AND due < date(?, 'localtime', '+1 day', 'utc')), "
        # mean retrievability now (fsrs: (1 + factor * whole days / stability) ** decay)
        f"avg(CASE WHEN {started} THEN pow(1 + ? * max(0, CAST(julianday(?) - "
        "julianday(last_review) AS INTEGER)) / stability, ?) ELSE 0 END) "
        "FROM card GROUP BY 1", (at, factor, at, decay)).fetchall()
    for name, since in (("overall", None), ("7 days", now - timedelta(days=7)),
                        ("30 days", now - timedelta(days=30))):
        where = "" if since is None else " WHERE answered_at >= ?"
        params = () if since is None else (since.strftime("%Y-%m-%d %H:%M:%S.%f"),)
        figures[name] = conn.execute(f"SELECT count(*), sum(correct) FROM review_log{where}",
                                     params).fetchone()
    figures["days"] = conn.execute(
        "SELECT DISTINCT date(answered_at, 'localtime') AS d FROM review_log "
        "ORDER BY d DESC").fetchall()
    figures["per day"] = conn.execute(
        "SELECT date(answered_at, 'localtime') AS d, count(*) FROM review_log "
        "WHERE answered_at >= ? GROUP BY d",
        ((now - timedelta(days=30)).strftime("%Y-%m-%d %H:%M:%S.%f"),)).fetchall()
    figures["forecast"] = conn.execute(
        f"SELECT max(date(due, 'localtime'), date(?, 'localtime')) AS d, count(*) FROM card "
        f"WHERE {started} AND suspended = 0 GROUP BY d ORDER BY d LIMIT 14", (at,)).fetchall()
    figures["ids"] = conn.execute("SELECT question_id FROM card UNION "
                                  "SELECT DISTINCT question_id FROM review_log").fetchall()
    if history:  # the history charts (quiz.store.tallies: the same SQL, the same three passes)
        from quiz.learner import default_learner  # one learner's database: whom quiz reads

        learner = default_learner()
        figures["weeks"] = conn.execute(tallies.WEEKLY_SQL, (
            "localtime", learner, (now - timedelta(weeks=12)).strftime("%Y-%m-%d %H:%M:%S.%f"))
        ).fetchall()
        figures["per question"] = conn.execute(tallies.PER_QUESTION_SQL, (learner,)).fetchall()
        figures["durations"] = conn.execute(tallies.DURATIONS_SQL, (learner,)).fetchall()
    figures["cards"] = conn.execute(
        "SELECT question_id, difficulty, lapses FROM card WHERE lapses > 0 OR state = 2"
    ).fetchall()
    figures["exams"] = conn.execute(
        "SELECT s.id, s.started_at, s.finished_at, s.score, s.total, e.pass_mark "
        "FROM study_session AS s JOIN exam_attempt AS e ON e.session_id = s.id "
        "ORDER BY s.id").fetchall()
    conn.close()
    return figures


def stats_command(path: Path, bank: Bank) -> str:
    """``quiz stats --json --db path`` in-process, on ``bank``; its output."""
    from click.testing import CliRunner

    import quiz.cli

    loader = quiz.cli.load_bank_or_exit
    quiz.cli.load_bank_or_exit = lambda _opts: bank  # type: ignore[assignment]
    try:
        result = CliRunner().invoke(quiz.cli.cli, ["stats", "--json", "--db", str(path)])
    finally:
        quiz.cli.load_bank_or_exit = loader
    if result.exit_code != 0:
        raise SystemExit(f"quiz stats failed ({result.exit_code}): {result.output}")
    return result.output


async def stats_screen(path: Path, bank: Bank, runs: int
                       ) -> tuple[list[float], list[float], list[float], list[float]]:
    """Seconds from ``open_stats`` to the stats screen's first frame, to the sections other
    than the weeks' filled, and to every section filled; and the longest the event loop was
    busy (what a key would wait) from the first frame to every section filled; ``runs`` times
    each."""
    from quiz.tui.app import make_app
    from quiz.tui.screens.stats import HISTORY_SECTIONS, SECTIONS, StatsScreen

    drawn: list[float] = []
    filled: dict[str, float] = {}
    draw, fill = StatsScreen._compositor_refresh, StatsScreen._fill
    others = {pane for pane, _ in SECTIONS[1:]} - set(HISTORY_SECTIONS)

    def timed_draw(self: StatsScreen) -> None:
        draw(self)
        drawn.append(time.perf_counter())

    async def timed_fill(self: StatsScreen, pane: str, widgets: Any) -> None:
        await fill(self, pane, widgets)
        filled[pane] = time.perf_counter()

    StatsScreen._compositor_refresh = timed_draw  # type: ignore[method-assign]
    StatsScreen._fill = timed_fill  # type: ignore[method-assign]
    store = Store(make_engine(path))
    times, rest, every, stalls = [], [], [], []
    app = make_app(bank, store, start="home")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.5)
        for _ in range(runs):
            drawn.clear()
            filled.clear()
            start = time.perf_counter()
            app.open_stats()
            while not drawn:
                await asyncio.sleep(0.001)
            # The loop's longest gap between 1 ms ticks while the sections are read.
            longest, tick = 0.0, time.perf_counter()
            while len(filled) < len(SECTIONS) - 1:
                await asyncio.sleep(0.001)
                now = time.perf_counter()
                longest, tick = max(longest, now - tick), now
            times.append(drawn[0] - start)
            rest.append(max(filled[pane] for pane in others) - start)
            every.append(max(filled.values()) - start)
            stalls.append(longest)
            await pilot.pause(0.2)
            await pilot.press("escape")
            await pilot.pause(0.2)
    store.close()
    return times, rest, every, stalls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=10_000)
    parser.add_argument("--logs", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    rng = random.Random(7)
    now = datetime.now(UTC)
    scheduler = make_scheduler()
    decay, factor = scheduler._DECAY, scheduler._FACTOR
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "progress.db"
        started = time.perf_counter()
        bank = make_bank(args.cards, rng)
        store = Store(make_engine(path))
        populate(store, bank, args.logs, now, rng)
        add_exams(store, bank, 12, rng)
        store.close()
        print(f"database: {args.cards} cards, {args.logs} logs, 12 exams, "
              f"{path.stat().st_size / 1e6:.1f} MB, built in {time.perf_counter() - started:.1f} s")

        bare_sql(path, now, decay, factor)  # warm the page cache
        stats_command(path, bank)  # and the imports
        times: dict[str, list[float]] = {"bare": [], "bare first": [], "command": []}
        for _ in range(args.runs):
            start = time.perf_counter()
            bare_sql(path, datetime.now(UTC), decay, factor)
            times["bare"].append(time.perf_counter() - start)
            start = time.perf_counter()
            bare_sql(path, datetime.now(UTC), decay, factor, history=False)
            times["bare first"].append(time.perf_counter() - start)
            start = time.perf_counter()
            stats_command(path, bank)
            times["command"].append(time.perf_counter() - start)
        screen, sections, every, stalls = asyncio.run(stats_screen(path, bank, args.runs))
        bare = statistics.median(times["bare"])
        first = statistics.median(times["bare first"])
        command = statistics.median(times["command"])
        shown = statistics.median(screen)
        print(f"median of {args.runs} (target <= {TARGET:g}x the bare aggregate):")
        print(f"  bare sqlite3 aggregate          {bare * 1e3:6.0f} ms")
        print(f"    without the history charts    {first * 1e3:6.0f} ms")
        print(f"  quiz stats --json (in-process)  {command * 1e3:6.0f} ms   "
              f"{command / bare:5.2f}x")
        # The screen reads the history after its first frame: compared with the baseline
        # without it (and with the whole one, for the record).
        print(f"  stats screen, first frame       {shown * 1e3:6.0f} ms   {shown / first:5.2f}x "
              f"({shown / bare:.2f}x the whole aggregate)")
        rest = statistics.median(sections)
        print(f"    filled but the weeks'         {rest * 1e3:6.0f} ms   {rest / first:5.2f}x "
              "(read in a thread after the first frame)")
        whole = statistics.median(every)
        print(f"    filled, every section         {whole * 1e3:6.0f} ms   {whole / bare:5.2f}x "
              "the whole aggregate")
        print(f"    the event loop busy at most   {statistics.median(stalls) * 1e3:6.0f} ms "
              f"at a time while filling (worst run {max(stalls) * 1e3:.0f} ms): what a key "
              "waits")


if __name__ == "__main__":
    main()
