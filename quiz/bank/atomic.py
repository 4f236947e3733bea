"""Replacing one file so that no reader ever sees half of it and no writer's change is lost.

The new bytes go to a temporary file beside the target, are flushed to disk, and renamed over
it; a symbolic link is followed (its target is written, the link stays). The check that the
file still holds what the caller read and the rename are done under an advisory lock (``flock``
on ``.<name>.lock`` beside the target, removed again when the write is done), so two quiz
processes saving into one file cannot both win: the second sees the first's change.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
import time
from collections.abc import Iterator
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no advisory locks, the content check stays
    fcntl = None  # type: ignore[assignment]

LOCK_WAIT = 5.0  # seconds to wait for another writer of the same file


class WriteRefused(Exception):
    """The file could not be written; the message says why, ``path`` is the file or dir."""

    def __init__(self, message: str, path: Path, *, conflict: bool = False) -> None:
        super().__init__(message)
        self.path = path
        self.conflict = conflict  # the file changed since it was read


def real_path(path: Path) -> Path:
    """The file a write to ``path`` must change: a symbolic link's target (followed all the
    way), else ``path`` itself."""
    return path.resolve() if path.is_symlink() else path


@contextlib.contextmanager
def locked(path: Path, shown: str) -> Iterator[None]:
    """Hold the advisory lock of file ``path`` (a real path) for the ``with`` block."""
    if fcntl is None:
        yield
        return
    lock = path.parent / f".{path.name}.lock"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _refusal(path, shown, exc) from exc
    if not os.access(path.parent, os.W_OK | os.X_OK):
        raise WriteRefused(f"cannot write in {path.parent}: the directory is read-only",
                           path.parent)
    deadline = time.monotonic() + LOCK_WAIT
    while True:
        try:
            fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise _refusal(path, shown, exc) from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            if time.monotonic() > deadline:
                raise WriteRefused(f"{shown} is being written by another program (its lock "
                                   f"{lock.name} is held): try again in a moment",
                                   path) from None
            time.sleep(0.02)
            continue
        try:  # the lock file may have been removed by the writer before us: lock the new one
            same = os.fstat(fd).st_ino == os.stat(lock).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            os.unlink(lock)  # while still holding it, so nobody is left waiting on it
        os.close(fd)


def replace_file(path: Path, data: bytes, previous: bytes | None, shown: str) -> None:
    """Replace ``path`` (a real path) by ``data`` if it still holds ``previous`` (None: it must
    not exist). The caller holds :func:`locked`. ``shown`` names the file in messages."""
    directory = path.parent
    try:
        directory.mkdir(parents=True, exist_ok=True)
        if path.exists() and not os.access(path, os.W_OK):
            # os.replace would go through (the directory decides): honour the file's mode.
            raise WriteRefused(f"{shown} is read-only: make it writable or add the question to "
                               "a bank of your own (quiz add --bank DIR)", path)
        if not os.access(directory, os.W_OK | os.X_OK):
            raise WriteRefused(f"cannot write in {directory}: the directory is read-only",
                               directory)
        tmp = directory / f".{path.name}.{secrets.token_hex(4)}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # umask applies
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            current = path.read_bytes() if path.exists() else None
            if current != previous:
                raise WriteRefused(f"{shown} changed on disk while it was being written: "
                                   "reload it and try again", path, conflict=True)
            if previous is not None:
                os.chmod(tmp, stat.S_IMODE(path.stat().st_mode))
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
    except OSError as exc:
        raise _refusal(path, shown, exc) from exc
    with contextlib.suppress(OSError):  # so the rename itself survives a crash
        dir_fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def _refusal(path: Path, shown: str, exc: OSError) -> WriteRefused:
    return WriteRefused(f"cannot write {shown}: {exc.strerror or exc}", path)
