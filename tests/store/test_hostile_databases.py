"""Files and paths that are not usable progress databases, and quiz databases with damaged rows:
one line naming the database and what is wrong, exit 2, no traceback, nothing changed on disk."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event

from quiz.bank import Bank
from quiz.cli import cli
from quiz.learner import default_learner
from quiz.store import Store, StoreError, make_engine
from quiz.tui.app import QuizApp
from tests.conftest import MINI


def _ours(path: Path, bank: Bank) -> None:
    store = Store(make_engine(path), enable_fuzzing=False)
    session = store.start_session("review")
    for q in bank.questions.values():
        store.record_answer(q, [0], session_id=session.id)
    store.update_settings(daily_new_limit=5)
    store.close()


def _sql(path: Path, *statements: str) -> None:
    conn = sqlite3.connect(path)
    for statement in statements:
        conn.execute(statement)
    conn.commit()
    conn.close()


def _state(path: Path) -> tuple[bytes, int, list[str]]:
    return path.read_bytes(), path.stat().st_mtime_ns, sorted(os.listdir(path.parent))


def _stats(path: Path | str, *extra: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["stats", "--json", "--bank", str(MINI), "--db",
                                      str(path), *extra])
    return result.exit_code, result.stderr if result.exit_code else result.stdout


def _one_line_exit_2(code: int, err: str, where: str, *words: str) -> None:
    assert code == 2, err
    assert err.count("\n") == 1 and err.startswith(f"quiz: {where}"), err
    assert "Traceback" not in err
    for word in words:
        assert word in err, err


# --- files that are not quiz's (item 5): refused, untouched ------------------------------------

FOREIGN: dict[str, tuple[tuple[str, ...], str]] = {
    "only-a-view": (("CREATE VIEW v AS SELECT 1 AS one",), "only views"),
    "user-version": (("PRAGMA user_version = 7", "VACUUM"), "user_version"),
    "application-id": (("PRAGMA application_id = 1234", "VACUUM"), "application_id"),
    "blank-rollback": (("VACUUM",), "quiz did not create"),
    "look-alike": (("CREATE TABLE schema_version (version INTEGER, note TEXT)",
                    "INSERT INTO schema_version VALUES (1, 'mine')",
                    "CREATE TABLE card (id INTEGER PRIMARY KEY, front TEXT)",
                    "CREATE TABLE review_log (id INTEGER PRIMARY KEY, ok INTEGER)",
                    "CREATE TABLE study_session (id INTEGER)",
                    "CREATE TABLE exam_attempt (id INTEGER)",
                    "CREATE TABLE setting (k TEXT)"), "columns"),
    "flashcards-app": (("CREATE TABLE card (id INTEGER, front TEXT)",), "other tables: card"),
}


@pytest.mark.parametrize("case", sorted(FOREIGN))
def test_a_foreign_sqlite_file_is_refused_and_left_alone(tmp_path: Path, case: str) -> None:
    path = tmp_path / "other.db"
    statements, words = FOREIGN[case]
    _sql(path, *statements)
    assert path.stat().st_size > 0
    before = _state(path)
    code, err = _stats(path)
    _one_line_exit_2(code, err, str(path), "not a quiz progress database", words, "--db")
    with pytest.raises(StoreError, match="not a quiz progress database"):
        Store(make_engine(path))
    assert _state(path) == before


# --- quiz databases whose schema was changed (items 3, 6) -------------------------------------

SCHEMA_DAMAGE: dict[str, tuple[tuple[str, ...], str]] = {
    "dropped-column": (("ALTER TABLE card DROP COLUMN flagged",), "lacks flagged"),
    "dropped-table": (("DROP TABLE setting",), "no table setting"),
    "version-gap": (("DELETE FROM schema_version WHERE version = 2",), "inconsistent"),
    "version-zero": (("UPDATE schema_version SET version = 0 WHERE version = 1",),
                     "inconsistent (versions 0, 2, 3"),
    "version-empty": (("DELETE FROM schema_version",), "schema_version table is empty"),
}


@pytest.mark.parametrize("case", sorted(SCHEMA_DAMAGE))
def test_a_changed_schema_is_one_line(tmp_path: Path, bank: Bank, case: str) -> None:
    path = tmp_path / "progress.db"
    _ours(path, bank)
    statements, words = SCHEMA_DAMAGE[case]
    _sql(path, *statements)
    before = _state(path)
    _one_line_exit_2(*_stats(path), str(path), words)
    assert _state(path) == before


# --- damaged rows (item 3) --------------------------------------------------------------------

ROW_DAMAGE: dict[str, tuple[str, str]] = {
    "setting-not-json": ("UPDATE setting SET value = '{oops'", "setting 'daily_new_limit'"),
    "setting-wrong-type": ("UPDATE setting SET value = '\"many\"'", "not a whole number"),
    "exam-date-not-a-date": ("INSERT INTO setting VALUES ('exam_date', '\"soon\"', "
                             f"'{default_learner()}')", "exam_date"),
    "due-not-a-time": ("UPDATE card SET due = 'tomorrow-ish'", "due is 'tomorrow-ish'"),
    "due-a-number": ("UPDATE card SET due = 12345", "not a time"),
    "unknown-state": ("UPDATE card SET state = 9", "state is 9"),
    "stability-text": ("UPDATE card SET stability = 'solid'", "stability is 'solid'"),
    # fsrs raises a negative stability to a fractional power: a complex number, then a crash
    "stability-negative": ("UPDATE card SET stability = -5", "stability is -5.0"),
    # recall is worked out by dividing by it: a ZeroDivisionError in quiz stats, found by fuzzing
    "stability-zero": ("UPDATE card SET stability = 0", "stability is 0"),
    "picked-not-json": ("UPDATE review_log SET picked = '[0'", "picked"),  # not in stats
    "answered-at-not-a-time": ("UPDATE review_log SET answered_at = 'x'", "answered_at"),
    "per-topic-not-json": ("UPDATE study_session SET per_topic = 'nope'", "per_topic"),
}


@pytest.mark.parametrize("case", sorted(ROW_DAMAGE))
def test_a_damaged_row_is_one_line_in_quiz_stats(tmp_path: Path, bank: Bank, case: str) -> None:
    path = tmp_path / "progress.db"
    _ours(path, bank)
    statement, words = ROW_DAMAGE[case]
    _sql(path, statement)
    code, out = _stats(path)
    if case not in ("picked-not-json", "per-topic-not-json"):  # stats reads neither
        _one_line_exit_2(code, out, str(path), "damaged", words)
    # the store (what the app writes through) says the same, without a traceback either
    store = Store(make_engine(path), enable_fuzzing=False)
    # (SQLAlchemy parses times itself: its message names the value, not the column)
    with pytest.raises(StoreError, match=f"^{path}: the progress database is damaged"):
        store.cards(), store.settings(), store.logs(), store.sessions(), store.exams()
    store.close()


COLUMNS = ["due", "state", "stability", "difficulty", "step", "last_review", "card_id",
           "flagged", "first_seen"]
VALUES = st.one_of(st.none(), st.integers(-2**63, 2**63 - 1), st.floats(), st.text(max_size=30),
                   st.binary(max_size=10),
                   st.sampled_from(["2025-03-10 12:00:00.000000", "9999-99-99", "", "NaN"]))


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from quiz.bank import load_bank

    path = tmp_path_factory.mktemp("pristine") / "progress.db"
    _ours(path, load_bank([MINI]))
    return path


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(column=st.sampled_from(COLUMNS), value=VALUES)
def test_any_value_in_a_card_column_is_read_or_refused_in_one_line(
        tmp_path: Path, pristine: Path, column: str, value: object) -> None:
    path = tmp_path / f"fuzz-{column}.db"
    path.write_bytes(pristine.read_bytes())
    conn = sqlite3.connect(path)
    try:
        conn.execute(f"UPDATE card SET {column} = ?", (value,))
        conn.commit()
    except sqlite3.IntegrityError:  # a NOT NULL column: SQLite itself keeps it whole
        return
    finally:
        conn.close()
    code, out = _stats(path)
    if code:
        _one_line_exit_2(code, out, str(path), "damaged")
        assert len(out) < 800


# --- paths (item 6) ---------------------------------------------------------------------------

def test_a_path_too_long(tmp_path: Path) -> None:
    path = tmp_path / ("x" * 5000) / "progress.db"
    code, err = _stats(path)
    _one_line_exit_2(code, err, str(tmp_path), "too long")
    assert len(err) < 600  # the path is cut short in the message


def test_a_symlink_loop(tmp_path: Path) -> None:
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    _one_line_exit_2(*_stats(tmp_path / "a"), str(tmp_path / "a"), "loops")
    _one_line_exit_2(*_stats(tmp_path / "a" / "progress.db"), str(tmp_path / "a"))


def test_a_home_of_no_such_user() -> None:
    _one_line_exit_2(*_stats("~nosuchuser-quiz/progress.db"), "~nosuchuser-quiz",
                     "no user named nosuchuser-quiz")


def test_a_fifo_is_refused_without_hanging(tmp_path: Path) -> None:
    fifo = tmp_path / "progress.db"
    os.mkfifo(fifo)
    done = subprocess.run([sys.executable, "-m", "quiz", "stats", "--bank", str(MINI),
                           "--db", str(fifo)], capture_output=True, text=True, timeout=60)
    _one_line_exit_2(done.returncode, done.stderr, str(fifo), "not a regular file")


def test_an_escape_in_the_path_is_shown_escaped(tmp_path: Path) -> None:
    path = tmp_path / "evil\x1b]52;c;AAAA\x07" / "x.db"
    path.parent.mkdir()
    path.write_text("not a database")
    code, err = _stats(path)
    assert code == 2 and "\x1b" not in err and "\x07" not in err and "\\e]52" in err


# --- a full disk, a read-only directory (items 4, 6) ------------------------------------------

def _capped(path: Path, pages: int) -> Store:
    """A store whose file SQLite will not let grow past ``pages``: SQLITE_FULL, as a full disk."""
    engine = make_engine(path)

    @event.listens_for(engine, "connect")
    def _cap(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

    return Store(engine, enable_fuzzing=False)


def test_a_full_disk_is_not_called_damage(tmp_path: Path, bank: Bank) -> None:
    path = tmp_path / "progress.db"
    Store(make_engine(path)).close()
    pages = path.stat().st_size // 4096
    store = _capped(path, pages)
    with pytest.raises(StoreError, match="disk is full") as caught:
        for q in list(bank.questions.values()) * 50:
            store.record_answer(q, [0])
    assert "damaged" not in str(caught.value) and "restore a backup" not in str(caught.value)
    store.close()


def test_a_failed_create_leaves_no_file(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    with pytest.raises(StoreError, match="disk is full"):
        _capped(path, 1)
    assert sorted(os.listdir(tmp_path)) == []


@pytest.fixture
def mount_point(tmp_path: Path) -> Iterator[Callable[[str], Path]]:
    """Mount something over a fresh directory (root only: skipped otherwise); unmounted after."""
    mounted: list[Path] = []

    def mount(*args: str) -> Path:
        target = tmp_path / f"mnt{len(mounted)}"
        target.mkdir(exist_ok=True)
        done = subprocess.run(["mount", *args, str(target)], capture_output=True)
        if done.returncode != 0:
            pytest.skip("cannot mount here (needs root)")
        mounted.append(target)
        return target

    yield mount  # type: ignore[misc]
    for target in reversed(mounted):
        subprocess.run(["umount", "-l", str(target)], capture_output=True)


def test_a_real_full_disk_on_create(mount_point: Callable[..., Path]) -> None:
    disk = mount_point("-t", "tmpfs", "-o", "size=8k", "tmpfs")
    (disk / "filler").write_bytes(b"x" * 4096)
    code, err = _stats(disk / "progress.db")
    _one_line_exit_2(code, err, str(disk), "full")
    assert not (disk / "progress.db").exists()


def test_quiz_stats_reads_a_database_in_a_read_only_directory(
        tmp_path: Path, bank: Bank, mount_point: Callable[..., Path]) -> None:
    source = tmp_path / "data"
    source.mkdir()
    _ours(source / "progress.db", bank)
    target = mount_point("--bind", str(source))
    subprocess.run(["mount", "-o", "remount,ro,bind", str(target)], check=True)
    code, out = _stats(target / "progress.db")
    assert code == 0, out
    assert f'"reviews": {len(bank.questions)}' in out
    assert sorted(os.listdir(target)) == ["progress.db"]


# --- the TUI (item 3) -------------------------------------------------------------------------

def _headless(monkeypatch: pytest.MonkeyPatch) -> None:
    run = QuizApp.run
    monkeypatch.setattr(QuizApp, "run", lambda self: run(self, headless=True, size=(80, 24)))


def test_the_tui_on_a_damaged_row_exits_2_with_one_line(
        tmp_path: Path, bank: Bank, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "progress.db"
    _ours(path, bank)
    _sql(path, "UPDATE card SET due = 'whenever'")
    _headless(monkeypatch)
    result = CliRunner().invoke(cli, ["--bank", str(MINI), "--db", str(path), "review"])
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"quiz: {path}: ") and "whenever" in result.stderr
    assert "Traceback" not in result.output


def test_a_crash_of_the_tui_exits_non_zero(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    def crash(self: QuizApp) -> None:
        raise RuntimeError("a bug in a screen")

    monkeypatch.setattr(QuizApp, "_warm_up", crash)
    _headless(monkeypatch)
    result = CliRunner().invoke(cli, ["--bank", str(MINI), "--db", str(tmp_path / "p.db")])
    assert result.exit_code == 1, result.output


def test_a_schema_with_text_that_is_not_utf8_is_damage_not_a_traceback(
        tmp_path: Path, bank: Bank) -> None:
    path = tmp_path / "progress.db"
    _ours(path, bank)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA writable_schema=ON")
    conn.execute("UPDATE sqlite_master SET sql = CAST(X'435245415445205441424C45206dff28612920' "
                 "AS TEXT) WHERE name = 'card'")
    conn.commit()
    conn.close()
    code, err = _stats(path)
    _one_line_exit_2(code, err, str(path), "damaged")


def test_an_orphaned_id_with_escapes_is_printed_escaped(tmp_path: Path, bank: Bank) -> None:
    path = tmp_path / "progress.db"
    _ours(path, bank)
    _sql(path, "UPDATE card SET question_id = 'x' || char(27) || ']0;pwned' || char(7) "
               "WHERE rowid = 1")
    result = CliRunner().invoke(cli, ["stats", "--bank", str(MINI), "--db", str(path)])
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert "x\\e]0;pwned\\x07" in result.output
