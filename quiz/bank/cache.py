"""A per-user cache of validated banks, so starting the app does not re-parse unchanged YAML.

The key is a digest of every bank file's path and *content* plus the app's version and the
cache's format, so any edit misses the cache, even one that keeps the size and restores the
modification time (``cp -p``, ``rsync -t``, ``touch -r``, coarse file-system timestamps).
Hashing the bytes costs about a millisecond for the bundled bank. Only banks without errors
are cached. ``quiz validate`` never uses the cache.

An entry is a JSON header line (format, version, key, size and CRC-32 of the rest) and then
the bank as JSON, read into the plain dataclasses of ``quiz.bank.domain``: reading it can never
run code. It keeps each question's fingerprint too (``Bank.fingerprints``): a start compares
every card's with the bank, and hashing each question again cost more than reading them.
It is only read from, and written to, a directory the user owns that nobody else can write to
(and that is not a symlink), and only from a regular file the user owns; anything else, and
any entry that cannot be read or decoded or that names another key, is a miss.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import tempfile
import zlib
from collections.abc import Iterable
from dataclasses import MISSING, Field, fields
from pathlib import Path
from typing import Any

from quiz import __version__
from quiz.bank.bank import Bank
from quiz.bank.domain import Choice, Claim, Concept, Question, Source, Topic, TransportClaim

_KEEP = 4  # cached banks kept (one per combination of bank directories in use)
FORMAT = 5  # what an entry holds (3: JSON of quiz.bank.domain objects; 4: its header checks
# the body with a CRC-32; 5: each question's fingerprint too, fields at their default left
# out); part of the key
SUFFIX = ".json"
_ENTRY_NAME = re.compile(r"[0-9a-f]{32}")  # what cache_key names an entry
MAX_ENTRY_BYTES = 64 * 1024 * 1024  # far above any real bank; a bigger file is not ours


def cache_key(roots: Iterable[Path]) -> str | None:
    """A digest of every file under the bank roots (paths and bytes), or None: no caching.

    Every regular file counts, not only ``*.yaml``: a question's ``scenario:`` may name a file
    of any name inside its bank, and a change there can change an answer key (hidden files and
    directories are not bank input and are skipped). A root that is not
    a directory, or a file that is not a regular file, cannot be read or is larger than a bank
    file may be, means None: the bank is then loaded and checked in full, which reports it.
    """
    from quiz.bank.files import MAX_FILE_BYTES, read_regular

    digest = hashlib.sha256(f"{__version__}\0{FORMAT}".encode())
    for root in roots:
        try:
            root = Path(root).resolve()
        except (OSError, RuntimeError):  # a loop of links: the full load reports it
            return None
        if not root.is_dir():
            return None
        digest.update(os.fsencode(root) + b"\0")
        try:
            for path in _bank_input(root):
                st = path.stat()  # follows a link: what loading would read
                if stat.S_ISDIR(st.st_mode):
                    continue
                if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_FILE_BYTES:
                    return None
                data = read_regular(path)
                digest.update(os.fsencode(path) + f"\0{len(data)}\0".encode())
                digest.update(data)
        except (OSError, ValueError):
            return None
    return digest.hexdigest()[:32]


def _bank_input(root: Path) -> list[Path]:
    """Every entry below ``root`` but hidden ones, sorted; hidden directories (``.git`` of a
    bank kept in git, editors' and the writer's lock files) are never walked into, so a start
    costs the bank's files, not a repository's history."""
    found: list[Path] = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        base = Path(folder)
        found += [base / name for name in (*dirs, *files) if not name.startswith(".")]
    return sorted(found)


def load_cached(directory: Path, key: str) -> Bank | None:
    """The bank cached under ``key``, or None (missing, unsafe, unreadable, malformed, foreign)."""
    if not _private_dir(directory):
        return None
    data = _read_own_file(directory / f"{key}{SUFFIX}")
    if data is None:
        return None
    header, _, body = data.partition(b"\n")
    try:
        if json.loads(header) != _header(key, body):
            return None  # another version or key, or damaged (its digest differs)
        return decode_bank(json.loads(body))
    except Exception:  # noqa: BLE001 - an entry that cannot be decoded is just a miss
        return None


def save_cached(directory: Path, key: str, bank: Bank) -> None:
    """Cache ``bank`` atomically; failures are ignored (the cache is an optimisation).

    A bank whose JSON would not read back equal (a scenario holding a date, a number as a
    mapping key...) is not cached: the next start loads it in full, as it must.
    """
    try:
        body = json.dumps(encode_bank(bank), separators=(",", ":"),
                          allow_nan=False).encode()
        if decode_bank(json.loads(body)) != bank:
            return
    except (TypeError, ValueError, RecursionError):
        return
    data = json.dumps(_header(key, body)).encode() + b"\n" + body
    try:
        if not _private_dir(directory, create=True):
            return
        fd, tmp = tempfile.mkstemp(dir=directory, suffix=".tmp")  # mode 0600
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, directory / f"{key}{SUFFIX}")
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        _prune(directory)
    except OSError:
        return


def _header(key: str, body: bytes) -> dict[str, Any]:
    """An entry's first line: what it is for, and the size and CRC-32 of the JSON that follows.

    The check is against damage, not tampering (only the user can write the directory, and
    the key is SHA-256 over the banks' bytes): a CRC-32 of the 0.8 MB body costs ~3M
    instructions where its SHA-256 cost ~22M at each start."""
    return {"format": FORMAT, "version": __version__, "key": key,
            "size": len(body), "crc32": zlib.crc32(body)}


def _prune(directory: Path) -> None:
    """Keep the newest few entries; drop pickles left by versions before FORMAT 3.

    Only files named as quiz names its entries (32 hex digits) are ever removed: ``QUIZ_CACHE``
    may point at a directory that holds other files too.
    """
    for old in directory.glob("*.pickle"):
        if _ENTRY_NAME.fullmatch(old.stem):
            old.unlink(missing_ok=True)
    entries = sorted((p for p in directory.glob(f"*{SUFFIX}") if _ENTRY_NAME.fullmatch(p.stem)),
                     key=lambda p: p.stat().st_mtime, reverse=True)
    for stale in entries[_KEEP:]:
        stale.unlink(missing_ok=True)


def _private_dir(directory: Path, *, create: bool = False) -> bool:
    """Whether ``directory`` is a real directory the user owns and only the user can write."""
    try:
        st = os.lstat(directory)
    except FileNotFoundError:
        if not create:
            return False
        try:
            directory.mkdir(parents=True, mode=0o700)
        except OSError:
            return False
        return _private_dir(directory)
    except OSError:
        return False
    return stat.S_ISDIR(st.st_mode) and _own_and_private(st)


def _own_and_private(st: os.stat_result) -> bool:
    owner_ok = not hasattr(os, "getuid") or st.st_uid == os.getuid()
    return owner_ok and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _read_own_file(path: Path) -> bytes | None:
    """The bytes of ``path`` if it is a regular file of the user's (never a link, FIFO, device)."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or not _own_and_private(st) \
                or st.st_size > MAX_ENTRY_BYTES:
            return None
        with os.fdopen(fd, "rb", closefd=False) as fh:
            return fh.read(MAX_ENTRY_BYTES + 1)
    except OSError:
        return None
    finally:
        os.close(fd)


# --- the entry's JSON ------------------------------------------------------------------------

def encode_bank(bank: Bank) -> dict[str, Any]:
    """``bank`` as JSON-ready data (the dataclasses' fields by name)."""
    return {
        "roots": [str(r) for r in bank.roots],
        "sources": [_fields(s) for s in bank.sources.values()],
        "topics": [_fields(t) for t in bank.topics.values()],
        "concepts": [_fields(c) for c in bank.concepts.values()],
        "questions": [_question_fields(q) for q in bank.questions.values()],
        "warnings": [_fields(w) for w in bank.warnings],
        "fingerprints": {q.id: bank.fingerprint(q) for q in bank.questions.values()},
    }


def decode_bank(data: dict[str, Any]) -> Bank:
    """The bank ``encode_bank`` wrote; raises (TypeError, KeyError...) on anything else."""
    sources = [Source(**s) for s in data["sources"]]
    topics = [Topic(**t) for t in data["topics"]]
    concepts = [Concept(**c) for c in data["concepts"]]
    questions = {q.id: q for q in (_question(q) for q in data["questions"])}
    fingerprints = data["fingerprints"]
    if not isinstance(fingerprints, dict) or fingerprints.keys() != questions.keys() \
            or not all(type(f) is str for f in fingerprints.values()):
        raise ValueError("not every question's fingerprint")
    fingerprints = {i: (q, fingerprints[i]) for i, q in questions.items()}
    return Bank(roots=tuple(Path(r) for r in data["roots"]),
                sources={s.id: s for s in sources},
                topics={t.id: t for t in topics},
                concepts={c.id: c for c in concepts},
                questions=questions,
                warnings=_problems(data["warnings"]),
                fingerprints=fingerprints)


def _problems(data: list[dict[str, Any]]) -> list[Any]:
    if not data:  # the usual bank: a start does without importing the problems' module
        return []
    from quiz.bank.problems import Problem

    return [Problem(**w) for w in data]


def _fields(obj: Any) -> dict[str, Any]:
    """The dataclass's fields by name, but those that hold their default (of the same type):
    most choices have no claims, most questions no scenario, and an entry read at every start
    is smaller without them (its constructor fills them in)."""
    return {f.name: value for f in fields(obj)
            if not _is_default(f, value := getattr(obj, f.name))}


def _is_default(f: Field[Any], value: Any) -> bool:
    if f.default is not MISSING:
        default = f.default
    elif f.default_factory is not MISSING:
        default = f.default_factory()
    else:
        return False
    return type(value) is type(default) and value == default


def _question_fields(question: Question) -> dict[str, Any]:
    data = _fields(question)
    data["choices"] = [_choice_fields(c) for c in question.choices]
    return data


def _choice_fields(choice: Choice) -> dict[str, Any]:
    data = _fields(choice)
    if choice.claims is not None:
        data["claims"] = [_fields(c) for c in choice.claims]
    if choice.transport is not None:
        data["transport"] = [_fields(c) for c in choice.transport]
    return data


def _question(data: dict[str, Any]) -> Question:
    data["choices"] = [_choice(c) for c in data["choices"]]
    return Question(**data)


def _choice(data: dict[str, Any]) -> Choice:
    claims = data.get("claims")
    if claims is not None:
        data["claims"] = [Claim(**c) for c in claims]
    transport = data.get("transport")
    if transport is not None:
        data["transport"] = [TransportClaim(**c) for c in transport]
    return Choice(**data)
