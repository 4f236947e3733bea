"""A database that is not ours is refused with one clear message, and left exactly as it was."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from quiz.bank import Bank
from quiz.cli import cli
from quiz.store import Store, StoreError, make_engine
from tests.conftest import MINI


def _ours(path: Path, bank: Bank) -> None:
    store = Store(make_engine(path), enable_fuzzing=False)
    for q in bank.questions.values():
        store.record_answer(q, [0])
    store.close()


def other_apps_sqlite(path: Path, bank: Bank) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)")
        conn.execute("INSERT INTO users (name) VALUES ('ada')")
    conn.close()


def text_file(path: Path, bank: Bank) -> None:
    path.write_text("these are my notes, not a database\n")


def truncated(path: Path, bank: Bank) -> None:
    _ours(path, bank)
    os.truncate(path, 10_000)


def truncated_at_a_page(path: Path, bank: Bank) -> None:
    _ours(path, bank)
    os.truncate(path, 2 * 4096)


def corrupt(path: Path, bank: Bank) -> None:
    _ours(path, bank)
    with sqlite3.connect(path) as conn:  # a page in use: the card table's first
        (root,) = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'card'").fetchone()
    conn.close()
    with path.open("r+b") as fh:
        fh.seek((root - 1) * 4096)
        fh.write(bytes(range(256)) * 16)


def newer_schema(path: Path, bank: Bank) -> None:
    _ours(path, bank)
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO schema_version VALUES (99, 'from the future', "
                     "'2030-01-01 00:00:00.000000')")
    conn.close()


def lost_version_rows(path: Path, bank: Bank) -> None:
    _ours(path, bank)
    with sqlite3.connect(path) as conn:  # the file has every step's columns; its rows say 3
        conn.execute("DELETE FROM schema_version WHERE version > 3")
    conn.close()


CASES: dict[str, tuple[Callable[[Path, Bank], None], str]] = {
    "other-app": (other_apps_sqlite, "not a quiz progress database"),
    "text-file": (text_file, "not an SQLite file"),
    "truncated": (truncated, "truncated"),
    "truncated-at-page": (truncated_at_a_page, "truncated"),
    "corrupt": (corrupt, "damaged"),
    "newer-schema": (newer_schema, "newer version of quiz (schema 99"),
    "lost-version-rows": (lost_version_rows, "says version 3, but its card table has"),
}


@pytest.fixture(params=sorted(CASES))
def bad_db(request: pytest.FixtureRequest, tmp_path: Path, bank: Bank) -> tuple[Path, str]:
    make, message = CASES[request.param]
    path = tmp_path / "bad.db"
    make(path, bank)
    return path, message


def _snapshot(path: Path) -> tuple[bytes, int, list[str]]:
    return path.read_bytes(), path.stat().st_mtime_ns, sorted(os.listdir(path.parent))


def test_quiz_stats_refuses_a_bad_database_and_leaves_it_alone(
        bad_db: tuple[Path, str]) -> None:
    path, message = bad_db
    before = _snapshot(path)
    result = CliRunner().invoke(cli, ["stats", "--bank", str(MINI), "--db", str(path)])
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"quiz: {path}: ")
    assert message in result.stderr and "--db" in result.stderr
    assert "Traceback" not in result.output
    assert _snapshot(path) == before  # same bytes, same mtime, no -wal/-shm left behind


def test_the_store_raises_store_error_for_a_bad_database(bad_db: tuple[Path, str]) -> None:
    path, message = bad_db
    with pytest.raises(StoreError, match=message.replace("(", r"\(")):
        Store(make_engine(path))


def test_a_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="is a directory"):
        Store(make_engine(tmp_path))


@pytest.mark.parametrize("setup", ["missing", "empty-file", "empty-sqlite"])
def test_missing_or_empty_files_become_fresh_databases(tmp_path: Path, setup: str) -> None:
    path = tmp_path / "new.db"
    if setup == "empty-file":
        path.touch()
    elif setup == "empty-sqlite":
        sqlite3.connect(path).close()
    result = CliRunner().invoke(cli, ["stats", "--json", "--bank", str(MINI), "--db", str(path)])
    assert result.exit_code == 0, result.output
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT max(version) FROM schema_version").fetchone()[0] >= 1
    conn.close()


def test_a_database_in_use_by_another_instance_opens(db_path: Path, bank: Bank) -> None:
    first = Store(make_engine(db_path), enable_fuzzing=False)
    first.record_answer(bank.questions["np-deny-scope"], [0])  # WAL and -shm now exist
    second = Store(make_engine(db_path), enable_fuzzing=False)
    assert len(second.logs()) == 1
    first.close()
    second.close()
