"""A bank file's bytes, read safely (a regular file of sane size, never a FIFO or device),
and its path as the user should see it.

Apart from ``quiz.bank.reading`` (which files a bank has, their YAML, the problems found) so
that a start on the bank cache, whose key reads every bank file, needs nothing more.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from pathlib import Path

MAX_FILE_BYTES = 64_000_000  # the 10,000-question benchmark bank is 21 MB in all


def display_path(path: Path) -> str:
    """A path as the user should see it: relative to the working directory when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError, RuntimeError):
        return str(path)


def not_a_file(path: Path) -> str | None:
    """Why ``path`` cannot be read as a bank file, or None when it is a regular file."""
    try:
        info = path.stat()
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "cannot read: a loop of symbolic links"
        with contextlib.suppress(OSError):  # a name too long for lstat as well
            if path.is_symlink():
                return "cannot read: a symbolic link to nothing (dangling)"
        return f"cannot read: {exc.strerror or 'error'}"
    return _not_regular(info.st_mode, info.st_size)


def _not_regular(mode: int, size: int) -> str | None:
    if stat.S_ISDIR(mode):
        return "a directory named like a YAML file: rename it"
    if not stat.S_ISREG(mode):
        return "not a regular file (a FIFO, socket or device): a bank holds plain files"
    if size > MAX_FILE_BYTES:
        return f"too large for a bank file ({size:,} bytes, at most {MAX_FILE_BYTES:,})"
    return None


def read_regular(path: Path) -> bytes:
    """The bytes of a regular file; OSError (with a readable strerror) for anything else.

    Opened non-blocking and checked with fstat on the open file, so neither a FIFO nor a swap
    of the file between a check and the read can make this wait or read a device.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        info = os.fstat(fd)
        reason = _not_regular(info.st_mode, info.st_size)
        if reason is not None:
            raise OSError(errno.EINVAL, reason)
        chunks = []
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
            if sum(map(len, chunks)) > MAX_FILE_BYTES:
                raise OSError(errno.EFBIG, "file grew too large while being read")
        return b"".join(chunks)
    finally:
        os.close(fd)
