"""Shared fixtures: keep the developer's own data, banks and database out of every test; and the
common set-up (the mini bank, a frozen UTC clock, a store on a temp file with fuzzing off).

Test modules import the plain names (``T0``, ``Clock``, ``MINI``...) from ``tests.conftest``."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from quiz.bank import Bank, load_bank
from quiz.store import Store, make_engine
from tests.pg import PgServer, unavailable

DATA = Path(__file__).parent / "data"
BANKS = DATA / "banks"
MINI = BANKS / "mini"
T0 = datetime(2025, 3, 10, 12, 0, tzinfo=UTC)  # where the clock fixture starts
NEW_YORK = ZoneInfo("America/New_York")


class Clock:
    """A frozen clock the test moves by hand."""

    def __init__(self, start: datetime = T0) -> None:
        self.value = start

    def __call__(self) -> datetime:
        return self.value

    def advance(self, **delta: float) -> datetime:
        self.value += timedelta(**delta)
        return self.value


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path_factory: pytest.TempPathFactory,
                        monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    monkeypatch.delenv("QUIZ_CACHE", raising=False)
    monkeypatch.delenv("QUIZ_DB", raising=False)
    monkeypatch.delenv("QUIZ_BANK", raising=False)
    monkeypatch.delenv("QUIZ_LEARNER", raising=False)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "sqlite_only: about SQLite files; not run on PostgreSQL")
    config.addinivalue_line("markers", "postgresql: runs on the throw-away PostgreSQL server")


def pytest_report_header() -> str:
    reason = unavailable()
    return f"PostgreSQL tests: {'skipped: ' + reason if reason else 'on a throw-away server'}"


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """A throw-away PostgreSQL server for the whole run (see ``tests.pg``); skips the test with
    the reason where none can be started."""
    reason = unavailable()
    if reason:
        pytest.skip(f"PostgreSQL tests skipped: {reason}")
    server = PgServer.start()
    yield server
    server.stop()


@pytest.fixture
def pg_url(pg_server: PgServer) -> str:
    """The URL of a fresh, empty database on the test server."""
    return pg_server.new_database()


@pytest.fixture
def data_dir() -> Path:
    return DATA


@pytest.fixture
def bank() -> Bank:
    """The mini bank (tests/tui overrides this with its own bank)."""
    return load_bank([MINI])


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "progress.db"


@pytest.fixture
def store(db_path: Path, clock: Clock) -> Iterator[Store]:
    s = Store(make_engine(db_path), now=clock, enable_fuzzing=False)
    yield s
    s.close()


HISTORY_START = datetime(2025, 1, 1, 9, tzinfo=UTC)
HISTORY_END = HISTORY_START + timedelta(days=121)


@pytest.fixture(scope="session")
def history_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database with four months of a simulated forgetful learner's reviews (300 questions,
    ~3,800 answers, from ``HISTORY_START``), for the optimiser: copy it before writing."""
    from quiz.synthetic import FORGETFUL_PARAMETERS
    from tests.history import record_history

    path = tmp_path_factory.mktemp("history") / "progress.db"
    clock = Clock(HISTORY_START)
    store = Store(make_engine(path), now=clock, enable_fuzzing=False)
    record_history(store, clock, cards=300, days=120, new_per_day=10, seed=3,
                   start=HISTORY_START, parameters=FORGETFUL_PARAMETERS)
    store.close()
    return path


@pytest.fixture
def utc_local_time(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Local time pinned to UTC ('today', due counts and shown times follow the local day)."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()
