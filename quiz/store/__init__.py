"""Progress storage: every answer kept forever, the fsrs cards, sessions, exams, settings.

No textual here. Open with ``Store(make_engine(path_or_url), now=clock)``; the database is
checked (read-only) before anything is written, then migrated to the current schema.

Importing this package costs no SQLAlchemy: the records, errors and the start-up readers
(``snapshot``, ``pending``) are plain Python, and ``Store``, ``open_store``, ``make_engine`` and
``database_url`` (and the answers' records, which no first screen reads) are imported on first
use (``quiz review`` shows its first question while SQLAlchemy loads; see
``quiz.store.pending``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from quiz.clock import utc_now
from quiz.store.errors import StoreError
from quiz.store.inspection import LATEST as SCHEMA_VERSION
from quiz.store.opening import open_store
from quiz.store.records import (
    LEECH_ACTIONS,
    MAX_INTERVAL_DAYS,
    MODES,
    SCHEDULING_MODES,
    CardRecord,
    CardSummary,
    DueReview,
    ExamAttempt,
    SessionRecord,
    Settings,
    TopicResult,
    check_setting,
)

if TYPE_CHECKING:
    from quiz.store.answers import (
        FsrsFit,
        RecordedAnswer,
        ReviewEntry,
        ScheduledAnswer,
        SyncReport,
    )
    from quiz.store.engine import database_url, make_engine
    from quiz.store.store import Store


_LAZY = {"Store": "quiz.store.store", "make_engine": "quiz.store.engine",
         "database_url": "quiz.store.engine",
         **dict.fromkeys(("FsrsFit", "RecordedAnswer", "ReviewEntry", "ScheduledAnswer",
                          "SyncReport"),
                         "quiz.store.answers")}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'quiz.store' has no attribute {name!r}")


__all__ = [
    "LEECH_ACTIONS",
    "MAX_INTERVAL_DAYS",
    "MODES",
    "SCHEDULING_MODES",
    "SCHEMA_VERSION",
    "CardRecord",
    "CardSummary",
    "DueReview",
    "ExamAttempt",
    "FsrsFit",
    "RecordedAnswer",
    "ReviewEntry",
    "ScheduledAnswer",
    "SessionRecord",
    "Settings",
    "Store",
    "StoreError",
    "SyncReport",
    "TopicResult",
    "check_setting",
    "database_url",
    "make_engine",
    "open_store",
    "utc_now",
]
