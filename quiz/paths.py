"""Where things live on disk: functions, never module constants, so tests can redirect them."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "quiz"


def bundled_bank() -> Path:
    """The question bank that ships with the app (inside the wheel, or the source checkout)."""
    here = Path(__file__).resolve().parent
    installed = here / "question_bank"
    return installed if installed.is_dir() else here.parent / "question_bank"


def default_banks() -> list[Path]:
    """The bundled bank plus every directory in ``QUIZ_BANK`` (colon-separated)."""
    extra = [Path(p).expanduser() for p in os.environ.get("QUIZ_BANK", "").split(os.pathsep) if p]
    return [bundled_bank(), *extra]


def data_dir() -> Path:
    """The per-user data directory (not created here)."""
    return platformdirs.user_data_path(APP_NAME, appauthor=False)


def cache_dir() -> Path:
    """The per-user cache directory (validated banks); ``QUIZ_CACHE`` overrides it."""
    override = os.environ.get("QUIZ_CACHE")
    return Path(override) if override else platformdirs.user_cache_path(APP_NAME, appauthor=False)


def default_db() -> str:
    """``QUIZ_DB`` if set, else ``progress.db`` in the user data directory."""
    return os.environ.get("QUIZ_DB") or str(data_dir() / "progress.db")


def lab_example() -> Path:
    """The three-namespace example that ``quiz lab`` opens when given no file."""
    return bundled_bank() / "scenarios" / "three-namespaces.yaml"
