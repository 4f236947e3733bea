"""Real processes: two app instances writing at once, and a kill right after an answer."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

from quiz.store import Store, make_engine
from tests.conftest import MINI

RECORDER = textwrap.dedent("""
    import sys, time
    from quiz.bank import load_bank
    from quiz.store import Store, make_engine

    db, bank_dir, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    questions = list(load_bank([bank_dir]).questions.values())
    store = Store(make_engine(db), enable_fuzzing=False)
    session = store.start_session("review")
    print("ready", flush=True)
    sys.stdin.readline()  # start together
    started = time.time()
    for i in range(count):
        q = questions[i % len(questions)]
        store.record_answer(q, [i % len(q.choices)], session_id=session.id, duration_ms=i)
    print(session.id, started, time.time())
""")

KILLED = textwrap.dedent("""
    import os, signal, sys
    from quiz.bank import load_bank
    from quiz.store import Store, make_engine

    store = Store(make_engine(sys.argv[1]), enable_fuzzing=False)
    question = load_bank([sys.argv[2]]).questions["np-deny-scope"]
    answer = store.record_answer(question, [0], duration_ms=1234)
    print(answer.log_id, flush=True)
    os.kill(os.getpid(), signal.SIGKILL)  # no close, no atexit, no checkpoint
""")


def _run_together(db: Path, count: int) -> list[tuple[int, float, float]]:
    """Start two recorders, release them at once; their session ids, start and end times."""
    procs = [subprocess.Popen([sys.executable, "-c", RECORDER, str(db), str(MINI), str(count)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    for p in procs:
        assert p.stdout is not None and p.stdout.readline() == "ready\n"
    for p in procs:
        assert p.stdin is not None
        p.stdin.write("go\n")
        p.stdin.flush()
    outputs = [p.communicate(timeout=120) for p in procs]
    for p, (_, err) in zip(procs, outputs, strict=True):
        assert p.returncode == 0, err  # never "database is locked"
    return [(int(s), float(start), float(end))
            for s, start, end in (out.split() for out, _ in outputs)]


def _log_count(db: Path, session_id: int | None = None) -> int:
    with sqlite3.connect(db) as conn:
        if session_id is None:
            return conn.execute("SELECT count(*) FROM review_log").fetchone()[0]
        return conn.execute("SELECT count(*) FROM review_log WHERE session_id = ?",
                            (session_id,)).fetchone()[0]


def test_two_processes_recording_at_once_lose_nothing(db_path: Path) -> None:
    Store(make_engine(db_path)).close()
    (first, start_1, end_1), (second, start_2, end_2) = _run_together(db_path, 200)
    assert start_1 < end_2 and start_2 < end_1  # both were writing at the same time
    assert [_log_count(db_path, first), _log_count(db_path, second)] == [200, 200]
    assert _log_count(db_path) == 400


def test_two_processes_creating_the_database_together(tmp_path: Path) -> None:
    db = tmp_path / "fresh.db"
    procs = [subprocess.Popen([sys.executable, "-c", RECORDER, str(db), str(MINI), "20"],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    for p in procs:
        _, err = p.communicate("go\n", timeout=120)
        assert p.returncode == 0, err
    assert _log_count(db) == 40


def test_an_answer_survives_a_kill_right_after_it_is_recorded(db_path: Path) -> None:
    done = subprocess.run([sys.executable, "-c", KILLED, str(db_path), str(MINI)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == -signal.SIGKILL, done.stderr
    log_id = int(done.stdout)
    store = Store(make_engine(db_path), enable_fuzzing=False)
    entry = store.log(log_id)
    assert entry is not None and entry.duration_ms == 1234 and entry.correct
    card = store.card("np-deny-scope")
    assert card is not None and not card.is_new
    store.close()
