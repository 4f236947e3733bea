"""Progress storage: every answer kept forever, the fsrs cards, sessions, exams, settings.

No textual here. Open with ``Store(make_engine(path_or_url), now=clock)``; the database is
checked (read-only) before anything is written, then migrated to the current schema.
"""

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from quiz.store.base import utc_now
from quiz.store.engine import database_url, make_engine
from quiz.store.errors import StoreError
from quiz.store.migrations import LATEST as SCHEMA_VERSION
from quiz.store.records import (
    MODES,
    SCHEDULING_MODES,
    CardRecord,
    DueReview,
    ExamAttempt,
    RecordedAnswer,
    ReviewEntry,
    SessionRecord,
    Settings,
    SyncReport,
    TopicResult,
)
from quiz.store.store import Store


def open_store(target: str | Path, *, now: Callable[[], datetime] = utc_now,
               enable_fuzzing: bool = True) -> Store:
    """A ``Store`` on a path or SQLAlchemy URL: checked (read-only), then migrated."""
    return Store(make_engine(target), now=now, enable_fuzzing=enable_fuzzing)


__all__ = [
    "MODES",
    "SCHEDULING_MODES",
    "SCHEMA_VERSION",
    "CardRecord",
    "DueReview",
    "ExamAttempt",
    "RecordedAnswer",
    "ReviewEntry",
    "SessionRecord",
    "Settings",
    "Store",
    "StoreError",
    "SyncReport",
    "TopicResult",
    "database_url",
    "make_engine",
    "open_store",
    "utc_now",
]
