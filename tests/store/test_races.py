"""Two copies on one database: a start must never be refused as damaged, and no answer may be
lost, whatever state the other copy left the file in (mid-checkpoint, a -wal after a crash)."""

from __future__ import annotations

import shutil
import sqlite3
import struct
import subprocess
import sys
import textwrap
from pathlib import Path

from quiz.bank import Bank
from quiz.learner import default_learner
from quiz.store import SCHEMA_VERSION, Store, make_engine
from quiz.store.inspection import inspect_sqlite
from quiz.store.snapshot import take_snapshot

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))
import race  # noqa: E402


def _answers(path: Path, bank: Bank, count: int) -> None:
    store = Store(make_engine(path), enable_fuzzing=False)
    questions = list(bank.questions.values())
    for i in range(count):
        store.record_answer(questions[i % len(questions)], [0])
    store.close()


def _mid_checkpoint_copy(path: Path, copy: Path, bank: Bank) -> int:
    """A copy of ``path`` as a checkpoint interrupted after writing page 1 leaves it: the
    header already counts pages the file does not have yet; the -wal still holds them all.
    Returns how many answers the copy holds."""
    _answers(path, bank, 5)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_autocheckpoint = 0")
    conn.execute("INSERT INTO setting VALUES ('padding', ?, ?)",
                 ('"' + "x" * 200_000 + '"', default_learner()))
    conn.commit()  # grows the file by ~50 pages, all in the -wal so far
    shutil.copyfile(path, copy)
    shutil.copyfile(f"{path}-wal", f"{copy}-wal")
    conn.close()
    wal = Path(f"{copy}-wal").read_bytes()
    page_size = struct.unpack(">I", wal[8:12])[0]
    page_1 = None
    for offset in range(32, len(wal), 24 + page_size):
        if struct.unpack(">I", wal[offset:offset + 4])[0] == 1:
            page_1 = wal[offset + 24:offset + 24 + page_size]
    assert page_1 is not None
    with copy.open("r+b") as fh:
        fh.write(page_1)  # the checkpoint's first write; the rest never happened
    pages = struct.unpack(">I", page_1[28:32])[0]
    assert copy.stat().st_size < pages * page_size  # what the old size check called damage
    return 5


def test_a_start_during_a_checkpoint_is_not_called_damaged(tmp_path: Path, bank: Bank) -> None:
    copy = tmp_path / "copy.db"
    answers = _mid_checkpoint_copy(tmp_path / "progress.db", copy, bank)
    assert inspect_sqlite(copy) == SCHEMA_VERSION
    snapshot = take_snapshot(copy)
    assert snapshot is not None and snapshot.answer_counts()[0] == answers
    snapshot.close()
    store = Store(make_engine(copy))  # the writer recovers the -wal: nothing lost
    assert len(store.logs()) == answers
    store.close()
    with sqlite3.connect(copy) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()


CRASHED_WRITER = textwrap.dedent("""
    import os, sys
    from quiz.bank import load_bank
    from quiz.store import Store, make_engine

    store = Store(make_engine(sys.argv[1]), enable_fuzzing=False)
    for q in load_bank([sys.argv[2]]).questions.values():
        store.record_answer(q, [0])
    os._exit(0)  # no close: the -wal and -shm stay, nothing checkpointed
""")


def test_a_wal_left_by_a_crashed_writer_is_recovered(tmp_path: Path, bank: Bank) -> None:
    db = tmp_path / "progress.db"
    Store(make_engine(db)).close()
    done = subprocess.run([sys.executable, "-c", CRASHED_WRITER, str(db), str(race.MINI)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert Path(f"{db}-wal").stat().st_size > 0
    Path(f"{db}-shm").unlink()  # as after a reboot on some systems
    snapshot = take_snapshot(db)
    assert snapshot is not None and snapshot.answer_counts()[0] == len(bank.questions)
    snapshot.close()


def test_two_copies_starting_answering_and_quitting_refuse_nothing_and_lose_nothing(
        tmp_path: Path) -> None:
    result = race.race(tmp_path / "race.db", seconds=12)
    assert result["crashed"] == [] and result["refused"] == []
    assert result["lost"] == []
    assert int(result["answers"]) > 0 and int(result["starts"]) > 10  # type: ignore[call-overload]
