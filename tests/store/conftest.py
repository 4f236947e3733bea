"""Fixtures for the store tests: the mini bank, a frozen clock, a store on a temp file."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from quiz.bank import Bank, load_bank
from quiz.store import Store, make_engine

MINI = Path(__file__).parent.parent / "data" / "banks" / "mini"
T0 = datetime(2025, 3, 10, 12, 0, tzinfo=UTC)


class Clock:
    """A frozen clock the test moves by hand."""

    def __init__(self, start: datetime = T0) -> None:
        self.value = start

    def __call__(self) -> datetime:
        return self.value

    def advance(self, **delta: float) -> datetime:
        self.value += timedelta(**delta)
        return self.value


@pytest.fixture
def bank() -> Bank:
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
