"""A start-up cache of what the interpreter compiles from generated text, kept with quiz's bytecode.

On Python 3.11 much of a start's work before its first frame that is not quiz's own is the
interpreter compiling source text that other code generates as it runs: each dataclass's
methods (``dataclasses`` ``exec``s their text, ~4M instructions a class), each namedtuple's
``__new__`` (``collections`` ``eval``s it), every regular expression (``re`` parses and
compiles a pattern in pure Python into the code list it hands to ``_sre.compile``), and
Textual tokenizing its default CSS and ours. The text is the same on every start, so this
module keeps the result of each, keyed by the whole text (a pattern with its flags, a CSS
text with where it was read from), and gives it back instead of compiling again:

- ``exec``/``eval`` in ``dataclasses`` and ``collections``, and ``compile`` in ``typing``
  (a ``ForwardRef``'s annotation text: hundreds in Textual's and rich's modules), all module
  globals, so nothing else is touched, compile a string once, then run the code object
  marshalled from it: the same code object they would compile (same text, same ``<string>``
  name, no inherited ``__future__`` flags, as none of the three modules has any);
- ``re._compiler.compile`` hands ``_sre.compile`` the arguments it computed for that pattern
  and flags before. Patterns whose parsing may warn (a possible nested set, a set operation,
  an odd group name) are never kept, so every warning still comes;
- Textual's CSS tokenizer yields the tokens it yielded for that text and place before
  (``quiz.tui.start_cache_css``, put in place once ``quiz.tui.app`` has imported Textual:
  this module imports nothing of it).

The file lives where Python keeps quiz's bytecode (``quiz/__pycache__``) and has the same trust
as a ``.pyc``: it is ``marshal`` data (never pickle), read only from there. It is keyed by
Python's exact version, optimization level and bytecode magic number, its body checked by
length and CRC-32, and capped in size: anything else (another Python, a damaged, truncated,
huge, unreadable or non-regular file) is ignored and replaced by the next write. It is
written (temporary file, then ``os.replace``, so a reader never sees half of one) after the
first frame, after the warm-up and at exit, only when something new was compiled, and never
when bytecode is not written (``PYTHONDONTWRITEBYTECODE``, ``sys.dont_write_bytecode``) or
the directory is read-only.

Only CPython 3.11 is patched: that is the version whose ``re`` and ``dataclasses`` internals
were checked against (``re._compiler.compile``'s body is repeated here); on any other the
module does nothing. ``uninstall`` puts every original back (tests).
"""

from __future__ import annotations

import marshal
import os
import sys
import zlib
from importlib.util import MAGIC_NUMBER, cache_from_source
from pathlib import Path
from stat import S_ISREG
from types import CodeType
from typing import Any

MAX_BYTES = 8 * 1024 * 1024  # a larger file is not read (every screen's entries: ~1.5 MB)
MAX_ENTRIES = 20_000  # past this, a write keeps only what this run used
_HEAD = b"quiz start cache 2\n"
_HEADER = len(_HEAD) + len(MAGIC_NUMBER) + 8 + 4  # magic, bytecode magic, length, CRC-32
_PATCHED = (3, 11)
# In a pattern, what re's parser may warn about (see _may_warn): such patterns are not kept.
_WARNING_SIGNS = ("[[", "--", "&&", "~~", "||", "(?(")


def supported() -> bool:
    """Whether this interpreter is one the cache's patches were checked against."""
    return sys.implementation.name == "cpython" and sys.version_info[:2] == _PATCHED


def default_path() -> Path:
    """Where the cache lives: beside quiz's own bytecode (``PYTHONPYCACHEPREFIX`` included)."""
    import quiz

    pyc = Path(cache_from_source(quiz.__file__))
    return pyc.with_name(f"quiz-start.{sys.implementation.cache_tag}.cache")


def _build() -> str:
    """The interpreter the entries were compiled by and for: its exact version string and
    its optimization level (``-O`` drops asserts, as a ``.pyc``'s ``opt-`` tag records)."""
    return f"{sys.version} -O{sys.flags.optimize}"


def writing_allowed() -> bool:
    """Whether Python itself may write bytecode here (the cache follows its rule)."""
    return not (sys.dont_write_bytecode or os.environ.get("PYTHONDONTWRITEBYTECODE"))


class StartCache:
    """The compiled results a start looks up, read from ``path`` and written back there."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.code: dict[tuple[str, str], bytes] = {}  # (mode, source) → marshalled code
        # (pattern, flags) → _sre.compile's other arguments, marshalled.
        self.patterns: dict[tuple[str | bytes, int], bytes] = {}
        # Textual's tokens of a CSS text, (tokenizer, text, read_from) → (name, value, place)s
        # marshalled, kept for one Textual (its dist-info's name): ``textual`` is None until
        # known. Each entry is unmarshalled only when used: a start uses some of them.
        self.tokens: dict[tuple[str, str, Any], bytes] = {}
        self.textual: str | None = None
        self.used: set[tuple[str, Any]] = set()
        self.new = 0  # entries compiled since the file was read or written

    # --- the file ----------------------------------------------------------------------

    def read(self) -> None:
        """Load the file's entries; any problem with it leaves the cache empty."""
        data = _read_file(self.path)
        if data is None:
            return
        code, patterns = data.get("code"), data.get("re")
        tokens, textual = data.get("css"), data.get("textual")
        if type(code) is dict and type(patterns) is dict and type(tokens) is dict:
            self.code, self.patterns, self.tokens = code, patterns, tokens
            self.textual = textual if type(textual) is str else None

    def save(self, *, force: bool = False) -> bool:
        """Write the entries if something new was compiled; whether the file was written.
        ``force`` writes even where bytecode is not written, as ``compileall`` does."""
        if not self.new or not (force or writing_allowed()):
            return False
        # Copies (one step each, under the GIL): a thread (the store's imports after the
        # first frame) may be adding entries meanwhile.
        code, patterns, tokens = dict(self.code), dict(self.patterns), dict(self.tokens)
        if len(code) + len(patterns) + len(tokens) > MAX_ENTRIES:
            code = {k: v for k, v in code.items() if ("code", k) in self.used}
            patterns = {k: v for k, v in patterns.items() if ("re", k) in self.used}
            tokens = {k: v for k, v in tokens.items() if ("css", k) in self.used}
        try:
            body = marshal.dumps({"python": _build(), "code": code, "re": patterns,
                                  "textual": self.textual, "css": tokens})
        except ValueError:  # a key of a type marshal does not write: nothing is written
            return False
        if len(body) + _HEADER > MAX_BYTES:
            return False
        head = (_HEAD + MAGIC_NUMBER + len(body).to_bytes(8, "little")
                + zlib.crc32(body).to_bytes(4, "little"))
        if not _write_atomically(self.path, head + body):
            return False
        self.new = 0
        return True

    # --- lookups -----------------------------------------------------------------------

    def compiled(self, source: str, mode: str) -> CodeType:
        """``compile(source, "<string>", mode)`` as ``exec``/``eval`` of a string does it
        in a module with no ``__future__`` imports."""
        key = (mode, source)
        stored = self.code.get(key)
        if stored is not None:
            try:
                code = marshal.loads(stored)
            except (ValueError, EOFError, TypeError):
                code = None
            if type(code) is CodeType:
                self.used.add(("code", key))
                return code
        code = compile(source, "<string>", mode, 0, True)
        self.code[key] = marshal.dumps(code)
        self.used.add(("code", key))
        self.new += 1
        return code


def _read_file(path: Path) -> dict[str, Any] | None:
    try:
        # Non-blocking, and only a regular file: a FIFO put in its place is not waited on.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        with open(fd, "rb") as file:
            status = os.fstat(fd)
            if not S_ISREG(status.st_mode) or status.st_size > MAX_BYTES:
                return None
            blob = file.read(MAX_BYTES + 1)
    except (OSError, ValueError):
        return None
    if len(blob) < _HEADER or not blob.startswith(_HEAD):
        return None
    at = len(_HEAD)
    if blob[at:at + len(MAGIC_NUMBER)] != MAGIC_NUMBER:
        return None
    at += len(MAGIC_NUMBER)
    length = int.from_bytes(blob[at:at + 8], "little")
    crc = int.from_bytes(blob[at + 8:at + 12], "little")
    body = blob[_HEADER:]
    if len(body) != length or zlib.crc32(body) != crc:
        return None
    try:
        data = marshal.loads(body)
    except (ValueError, EOFError, TypeError):
        return None
    if type(data) is not dict or data.get("python") != _build():
        return None
    return data


def _write_atomically(path: Path, blob: bytes) -> bool:
    """Write ``blob`` to a temporary file beside ``path`` and move it over ``path``; a
    directory that cannot be written (a read-only install) just skips it."""
    temp = path.with_name(f"{path.name}.{os.getpid()}.{id(blob):x}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        try:
            with open(fd, "wb", closefd=True) as file:
                file.write(blob)
            os.replace(temp, path)
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
    except OSError:
        return False
    return True


# --- the patches ------------------------------------------------------------------------

_cache: StartCache | None = None
_originals: list[tuple[object, str, object]] = []  # (owner, name, what was there; _MISSING)
_MISSING = object()


def installed() -> StartCache | None:
    """The cache in use, if ``install`` put one in place."""
    return _cache


def install(path: Path | None = None) -> StartCache | None:
    """Read the cache and route the compiling above through it (once; nothing on an
    interpreter it was not checked against)."""
    global _cache
    if _cache is not None or not supported():
        return _cache
    cache = StartCache(path or default_path())
    cache.read()
    _cache = cache
    import collections
    import dataclasses
    import re._compiler
    import typing

    patch(dataclasses, "exec", _cached_exec)
    patch(collections, "eval", _cached_eval)
    patch(typing, "compile", _cached_compile)
    patch(re._compiler, "compile", _regex_compiler(re._compiler.compile))
    return cache


def uninstall() -> None:
    """Put back what ``install`` replaced and forget the cache (unsaved entries are lost)."""
    global _cache
    while _originals:
        owner, name, original = _originals.pop()
        if original is _MISSING:
            delattr(owner, name)
        else:
            setattr(owner, name, original)
    _cache = None


def save() -> bool:
    """Write the installed cache if something new was compiled (never raises)."""
    return _cache is not None and _cache.save()


def prepare() -> bool:
    """Fill the cache with what importing the app compiles and write it, as installing quiz
    compiles its bytecode (benchmarks' compile step; ``compileall`` for this file)."""
    import pkgutil

    import quiz.tui

    cache = install()
    if cache is None:
        return False
    for module in pkgutil.walk_packages(quiz.tui.__path__, "quiz.tui."):
        __import__(module.name)
    return cache.save(force=True)


def patch(owner: object, name: str, replacement: object) -> None:
    """Put ``replacement`` in place of ``owner.<name>`` until ``uninstall``."""
    _originals.append((owner, name, vars(owner).get(name, _MISSING)))
    setattr(owner, name, replacement)


def _cached_exec(source: Any, namespace: Any = None, local_names: Any = None, /,
                 **options: Any) -> None:
    # dataclasses always passes a namespace dict; anything else is exec's, uncached.
    if type(source) is str and type(namespace) is dict and not options and _cache is not None:
        source = _cache.compiled(source, "exec")
    exec(source, namespace, local_names, **options)


def _cached_eval(source: Any, namespace: Any = None, local_names: Any = None, /) -> Any:
    # collections always passes a dict; eval strips a string's leading blanks and
    # compile() does not: those are eval's, uncached.
    if (type(source) is str and type(namespace) is dict and _cache is not None
            and source[:1] not in (" ", "\t")):
        source = _cache.compiled(source, "eval")
    return eval(source, namespace, local_names)


def _cached_compile(source: Any, filename: Any, mode: Any, flags: Any = 0,
                    dont_inherit: Any = False, optimize: Any = -1, **options: Any) -> Any:
    # typing.ForwardRef's one call: compile(annotation, "<string>", "eval").
    if (type(source) is str and filename == "<string>" and mode == "eval" and flags == 0
            and optimize == -1 and not options and _cache is not None):
        return _cache.compiled(source, "eval")
    return compile(source, filename, mode, flags, dont_inherit, optimize, **options)


def _may_warn(pattern: str | bytes) -> bool:
    """Whether re's parser could warn about ``pattern`` (Python 3.11's warnings: a nested set,
    a doubled set operator, a conditional group's or a bytes pattern's non-ASCII name)."""
    text = pattern if type(pattern) is str else pattern.decode("latin-1")
    return any(sign in text for sign in _WARNING_SIGNS) or (
        type(pattern) is bytes and "(?P" in text)


def _regex_compiler(original: Any) -> Any:
    import _sre
    from re import _compiler, _parser

    def compile(p: Any, flags: Any = 0) -> Any:  # noqa: A001 (re._compiler's name)
        cache = _cache
        if (cache is None or type(p) not in (str, bytes) or type(flags) is not int
                or flags & _compiler.SRE_FLAG_DEBUG):
            return original(p, flags)
        key = (p, flags)
        stored = cache.patterns.get(key)
        if stored is not None:
            try:
                final_flags, code, groups, groupindex, indexgroup = marshal.loads(stored)
                pattern = _sre.compile(p, final_flags, code, groups, dict(groupindex),
                                       indexgroup)
            except Exception:  # a damaged entry: compiled as if it were not there
                pattern = None
            else:
                cache.used.add(("re", key))
                return pattern
        if _may_warn(p):
            return original(p, flags)
        # re._compiler.compile (3.11), keeping what it hands _sre.compile.
        parsed = _parser.parse(p, flags)
        # Its opcodes are int subclasses (re._constants' named ones): kept as the ints they are.
        code = [int(word) for word in _compiler._code(parsed, flags)]
        groupindex = parsed.state.groupdict
        indexgroup = [None] * parsed.state.groups
        for name, index in groupindex.items():
            indexgroup[index] = name
        args = (int(flags | parsed.state.flags), code, int(parsed.state.groups - 1),
                dict(groupindex), tuple(indexgroup))
        cache.patterns[key] = marshal.dumps(args)
        cache.used.add(("re", key))
        cache.new += 1
        return _sre.compile(p, args[0], code, args[2], dict(groupindex), args[4])

    return compile
