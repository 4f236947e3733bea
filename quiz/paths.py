"""Where things live on disk: functions, never module constants, so tests can redirect them."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "quiz"
CATALOG_NAME = "concepts.yaml"  # as quiz.bank.loader names it (not imported: start-up stays lean)


def bundled_bank() -> Path:
    """The question bank that ships with the app (inside the wheel, or the source checkout)."""
    here = Path(__file__).resolve().parent
    installed = here / "question_bank"
    return installed if installed.is_dir() else here.parent / "question_bank"


def is_installed(path: Path) -> bool:
    """Whether ``path`` is part of the installed package (the bundled bank inside a wheel): it
    is replaced on upgrade, so nothing of the user's may be written there. The project's own
    ``question_bank/`` in a source checkout is not: contributors edit it in place."""
    package = Path(__file__).resolve().parent
    try:
        return path.resolve().is_relative_to(package)
    except (OSError, RuntimeError):  # a symlink loop: not a bank of ours either way
        return False


def user_bank() -> Path:
    """The user's own bank, ``bank`` in the user data directory: loaded with the bundled bank
    on every start once it holds anything, and where ``quiz add`` writes (not created here)."""
    return data_dir() / "bank"


def is_bank(path: Path) -> bool:
    """Whether ``path`` is a directory holding a catalog or any YAML file (questions)."""
    try:
        if not path.is_dir():
            return False
        if (path / CATALOG_NAME).is_file():
            return True
        return any(p.suffix in (".yaml", ".yml") and p.is_file() for p in path.rglob("*"))
    except OSError:  # unreadable: nothing to load from it
        return False


def default_banks() -> list[Path]:
    """The bundled bank, the user's bank (once it holds anything), then every directory in
    ``QUIZ_BANK`` (colon-separated); each directory once."""
    extra = [Path(p).expanduser() for p in os.environ.get("QUIZ_BANK", "").split(os.pathsep) if p]
    mine = user_bank()
    banks: list[Path] = []
    seen: set[Path] = set()
    for bank in [bundled_bank(), *([mine] if is_bank(mine) else []), *extra]:
        try:
            key = bank.resolve()
        except (OSError, RuntimeError):
            key = bank
        if key not in seen:
            seen.add(key)
            banks.append(bank)
    return banks


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
