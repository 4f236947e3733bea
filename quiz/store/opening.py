"""Opening a store by path or URL; plain Python until called (SQLAlchemy loads on the call)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from quiz.clock import utc_now

if TYPE_CHECKING:
    from quiz.store.store import Store


def open_store(target: str | Path, *, learner: str | None = None,
               now: Callable[[], datetime] = utc_now, enable_fuzzing: bool = True) -> Store:
    """``learner``'s ``Store`` (default: the OS user's) on a path or SQLAlchemy URL: checked
    (read-only), then migrated."""
    from quiz.store.engine import make_engine
    from quiz.store.store import Store

    return Store(make_engine(target), learner=learner, now=now, enable_fuzzing=enable_fuzzing)
