"""A per-user cache of validated banks, so starting the app does not re-parse unchanged YAML.

The key is every bank file's path, size and modification time plus the app's version and the
cache's format: any edit, added or removed file, or upgrade misses the cache and the bank is
loaded and checked in full. Only banks without errors are cached. ``quiz validate`` never uses
the cache.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from collections.abc import Iterable
from pathlib import Path

from quiz import __version__
from quiz.bank.bank import Bank

_KEEP = 4  # cached banks kept (one per combination of bank directories in use)
FORMAT = 2  # what is pickled (2: quiz.bank.domain objects); part of the key


def cache_key(roots: Iterable[Path]) -> str | None:
    """A digest of the bank files' identities, or None when a root is not a readable dir."""
    digest = hashlib.sha256(f"{__version__}\0{FORMAT}".encode())
    for root in roots:
        root = Path(root).resolve()
        if not root.is_dir():
            return None
        digest.update(str(root).encode() + b"\0")
        try:
            files = sorted(p for p in root.rglob("*") if p.suffix in (".yaml", ".yml"))
            for path in files:
                st = path.stat()
                digest.update(f"{path}\0{st.st_size}\0{st.st_mtime_ns}\0".encode())
        except OSError:
            return None
    return digest.hexdigest()[:32]


def load_cached(directory: Path, key: str) -> Bank | None:
    """The bank cached under ``key``, or None (missing, unreadable or from another version)."""
    try:
        with open(directory / f"{key}.pickle", "rb") as fh:
            bank = pickle.load(fh)  # noqa: S301 - our own file in the user's private cache
    except Exception:  # noqa: BLE001 - a cache that cannot be read is just a miss
        return None
    return bank if isinstance(bank, Bank) else None


def save_cached(directory: Path, key: str, bank: Bank) -> None:
    """Cache ``bank`` atomically; failures are ignored (the cache is an optimisation)."""
    try:
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(dir=directory, suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(bank, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, directory / f"{key}.pickle")
        old = sorted(directory.glob("*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
        for stale in old[_KEEP:]:
            stale.unlink(missing_ok=True)
    except (OSError, pickle.PicklingError):
        return
