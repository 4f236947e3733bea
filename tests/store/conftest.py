"""The store's tests run on both databases quiz supports: a SQLite file and PostgreSQL.

``db_target`` (a SQLite path or a PostgreSQL URL) and ``store`` are parametrised over both
backends. A test about SQLite itself (its files, WAL, damaged files, the stdlib-sqlite3
snapshot) is marked ``@pytest.mark.sqlite_only`` and runs on SQLite alone; tests that take
``db_path`` (a file) are SQLite tests anyway and are not parametrised.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from quiz.store import Store, make_engine
from tests.conftest import Clock

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A ``sqlite_only`` test keeps its SQLite case only."""
    keep, drop = [], []
    for item in items:
        callspec = getattr(item, "callspec", None)
        on_pg = callspec is not None and callspec.params.get("backend") == "postgresql"
        (drop if on_pg and item.get_closest_marker("sqlite_only") else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def db_target(backend: str, request: pytest.FixtureRequest, db_path: Path) -> str:
    """Where a test's progress lives: a SQLite file, or a fresh PostgreSQL database's URL."""
    if backend == "postgresql":
        return str(request.getfixturevalue("pg_url"))
    return str(db_path)


@pytest.fixture
def store(backend: str, request: pytest.FixtureRequest, db_path: Path,
          clock: Clock) -> Iterator[Store]:
    """A store, fuzzing off, on a new SQLite file or a new PostgreSQL database (set up from a
    migrated template: ``db_target`` tests run the migrations on PostgreSQL)."""
    target: str | Path = db_path
    if backend == "postgresql":
        target = request.getfixturevalue("pg_server").new_database(migrated=True)
    s = Store(make_engine(target), now=clock, enable_fuzzing=False)
    yield s
    s.close()
