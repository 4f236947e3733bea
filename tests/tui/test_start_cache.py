"""The start-up cache: what it gives back is what Python would have compiled, and a cache file
that is not exactly its own (damaged, another Python, half-written) is never used."""

from __future__ import annotations

import collections
import dataclasses
import re
import subprocess
import sys
import typing
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from quiz.tui import start_cache, start_cache_css
from quiz.tui.start_cache import StartCache

pytestmark = pytest.mark.skipif(not start_cache.supported(),
                                reason="the cache patches CPython 3.11 only")

PLAIN_RE_COMPILE = re._compiler.compile
PATTERNS = [
    (r"(?P<key>[a-z_]+)\s*=\s*(?P<value>.*?)$", re.MULTILINE),
    (r"^\s*#.*$|(\d+)(?:\.(\d+))?(?=px|%)", 0),
    (r"(?<=\$)[A-Z]{2,}\b|[^\W\d_]+", re.IGNORECASE | re.UNICODE),
    (r"(a)(b)?(?(2)c|d)", 0),
    (rb"\x00[\x01-\x7f]+(?P<tail>\xff*)", re.DOTALL),
    (r"", 0),
]


@pytest.fixture
def cache_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Where the test's cache lives; bytecode writing allowed; every patch undone after."""
    monkeypatch.delenv("PYTHONDONTWRITEBYTECODE", raising=False)
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    start_cache.uninstall()
    yield tmp_path / "__pycache__" / "quiz-start.cache"
    start_cache.uninstall()


def make_classes() -> tuple[type, type]:
    """A dataclass and a namedtuple, built anew (their methods compiled from text)."""

    @dataclasses.dataclass(frozen=True, order=True)
    class Point:
        x: int
        y: int = 2
        tags: list[str] = dataclasses.field(default_factory=list, compare=False)

    Pair = collections.namedtuple("Pair", ["left", "right"], defaults=[0])
    return Point, Pair


def behaviour(point: type, pair: type) -> list[object]:
    """What a user of the two classes sees."""
    a, b = point(1), point(1, 3, ["t"])
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.x = 5
    return [point.__init__.__annotations__, repr(a), repr(b), a == point(1), a < b,
            hash(a) == hash(point(1)),
            dataclasses.astuple(b), repr(pair(1)), pair(1, 2)._asdict(), pair._make([3, 4])]


def method_codes(point: type, pair: type) -> list[object]:
    return [point.__init__.__code__, point.__repr__.__code__, point.__eq__.__code__,
            point.__lt__.__code__, point.__hash__.__code__, point.__setattr__.__code__,
            pair.__new__.__code__]


def test_a_cached_start_builds_the_same_classes_and_patterns(cache_path: Path) -> None:
    plain = make_classes()
    plain_patterns = [re._compiler.compile(p, f) for p, f in PATTERNS]

    cache = start_cache.install(cache_path)
    assert cache is not None and cache.new == 0
    first = make_classes()  # compiled, and kept
    assert cache.new > 0
    first_patterns = [re._compiler.compile(p, f) for p, f in PATTERNS]
    assert start_cache.save()
    start_cache.uninstall()

    cache = start_cache.install(cache_path)  # a later start: read from the file
    assert cache is not None and cache.code and cache.patterns
    again = make_classes()
    again_patterns = [re._compiler.compile(p, f) for p, f in PATTERNS]
    assert cache.new == 0  # nothing compiled: every text was found
    assert not start_cache.save()  # and so nothing written

    for built in (first, again):
        assert behaviour(*built) == behaviour(*plain)
        assert method_codes(*built) == method_codes(*plain)
    for patterns in (first_patterns, again_patterns):
        assert patterns == plain_patterns  # same flags, pattern and compiled code
        for got, want in zip(patterns, plain_patterns, strict=True):
            assert (got.groups, got.groupindex, got.flags) == (
                want.groups, want.groupindex, want.flags)
    match = again_patterns[0].search("a\nkey = value\n")
    assert match is not None and match.group("key", "value") == ("key", "value")


def test_forward_references_compile_the_same(cache_path: Path) -> None:
    text = "dict[str, list[int]] | None"
    plain = typing.ForwardRef(text)
    start_cache.install(cache_path)
    typing.ForwardRef(text)
    assert start_cache.save()
    start_cache.uninstall()
    cache = start_cache.install(cache_path)
    cached = typing.ForwardRef(text)
    assert cache.new == 0
    assert cached.__forward_code__ == plain.__forward_code__
    assert cached._evaluate(globals(), None, recursive_guard=frozenset()) == dict[
        str, list[int]] | None
    with pytest.raises(SyntaxError, match="Forward reference must be an expression"):
        typing.ForwardRef("not valid (")


def test_warnings_of_re_still_come_on_a_cached_start(cache_path: Path) -> None:
    start_cache.install(cache_path)
    for _ in range(2):
        with pytest.warns(FutureWarning, match="Possible nested set"):
            re._compiler.compile("[[a]", 0)
    assert ("[[a]", 0) not in start_cache.installed().patterns


def test_a_bad_pattern_raises_as_without_the_cache(cache_path: Path) -> None:
    start_cache.install(cache_path)
    with pytest.raises(re.error, match="missing \\)"):
        re._compiler.compile("(ab", 0)


def write_cache(path: Path) -> None:
    """A cache file of this Python with one class's methods in it."""
    start_cache.install(path)
    make_classes()
    assert start_cache.save()
    start_cache.uninstall()


@pytest.mark.parametrize("damage", ["truncated", "flipped", "binary", "empty", "huge",
                                    "directory", "entries"])
def test_a_damaged_cache_is_ignored_and_replaced(cache_path: Path, damage: str) -> None:
    write_cache(cache_path)
    blob = cache_path.read_bytes()
    if damage == "truncated":
        cache_path.write_bytes(blob[:len(blob) // 2])
    elif damage == "flipped":
        cache_path.write_bytes(blob[:-10] + bytes([blob[-10] ^ 0xFF]) + blob[-9:])
    elif damage == "binary":
        cache_path.write_bytes(bytes(range(256)) * 64)
    elif damage == "empty":
        cache_path.write_bytes(b"")
    elif damage == "huge":
        with cache_path.open("r+b") as file:
            file.truncate(start_cache.MAX_BYTES + 1)  # sparse: the cap is checked before reading
    elif damage == "directory":
        cache_path.unlink()
        cache_path.mkdir()
    else:  # a file of the right form whose entries are garbage: compiled as if absent
        cache = StartCache(cache_path)
        cache.read()
        cache.code = {key: b"\x00garbage" for key in cache.code}
        cache.patterns = {("x+", 0): b"\x00garbage"}
        cache.tokens = {("TCSSTokenizerState", "A { }", ("a.tcss", "")): b"\x00garbage"}
        cache.textual = start_cache_css._textual_version()
        cache.new = 1
        assert cache.save()
    cache = start_cache.install(cache_path)
    assert cache is not None
    if damage == "entries":
        from textual.css.tokenize import tokenize

        assert cache.code and cache.patterns
        assert re._compiler.compile("x+", 0) == PLAIN_RE_COMPILE("x+", 0)
        plain = tokens_of(tokenize, "A { }", ("a.tcss", ""))
        start_cache_css.install()
        assert cache.tokens  # kept: the same Textual
        assert tokens_of(tokenize, "A { }", ("a.tcss", "")) == plain
    else:
        assert not cache.code and not cache.patterns
    built = make_classes()
    assert behaviour(*built) == behaviour(*make_classes())
    if damage == "directory":
        assert not start_cache.save()  # nowhere to write: skipped, no error
        return
    assert start_cache.save()  # the next write replaces it
    start_cache.uninstall()
    assert start_cache.install(cache_path).code


@pytest.mark.parametrize("other", ["version", "magic", "optimize"])
def test_a_cache_from_another_python_is_ignored(cache_path: Path, other: str,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    with monkeypatch.context() as change:
        if other == "version":
            change.setattr(sys, "version", sys.version + " (another build)")
        elif other == "optimize":
            change.setattr(start_cache, "_build", lambda: f"{sys.version} -O2")
        else:
            change.setattr(start_cache, "MAGIC_NUMBER", b"\x00\x00\r\n")
        write_cache(cache_path)
    assert cache_path.exists()
    cache = StartCache(cache_path)
    cache.read()
    assert not cache.code and not cache.patterns


@pytest.mark.parametrize("how", ["environment", "flag"])
def test_nothing_is_written_where_bytecode_is_not(cache_path: Path, how: str,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    if how == "environment":
        monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    else:
        monkeypatch.setattr(sys, "dont_write_bytecode", True)
    start_cache.install(cache_path)
    make_classes()
    assert not start_cache.save()
    assert not cache_path.exists()
    assert start_cache.installed().save(force=True)  # prepare(), as compileall does


def test_a_read_only_directory_skips_the_write(cache_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> int:
        raise PermissionError(13, "Permission denied")

    start_cache.install(cache_path)
    make_classes()
    monkeypatch.setattr(start_cache.os, "open", refuse)
    assert not start_cache.save()
    assert not cache_path.exists()
    assert not list(cache_path.parent.glob("*.tmp"))


def test_another_interpreter_is_left_alone(cache_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(start_cache, "_PATCHED", (3, 99))
    assert start_cache.install(cache_path) is None
    assert "exec" not in vars(dataclasses)
    assert re._compiler.compile.__module__ == "re._compiler"


def test_uninstall_puts_the_originals_back(cache_path: Path) -> None:
    compile_re = re._compiler.compile
    start_cache.install(cache_path)
    assert vars(dataclasses)["exec"] is not exec
    start_cache.uninstall()
    assert "exec" not in vars(dataclasses) and "eval" not in vars(collections)
    assert "compile" not in vars(typing)
    assert re._compiler.compile is compile_re


WRITER = """
import sys
from pathlib import Path
from quiz.tui import start_cache, start_cache_css

path, name = Path(sys.argv[1]), sys.argv[2]
start_cache.install(path)
for round in range(40):
    exec(f"import dataclasses\\n@dataclasses.dataclass\\nclass C:\\n    a_{name}_{round}: int",
         {"__name__": "w"})
    start_cache.installed().save(force=True)  # the test's environment writes no bytecode
"""
READER = """
import sys
from pathlib import Path
from quiz.tui.start_cache import _read_file

path = Path(sys.argv[1])
seen = broken = 0
while True:
    try:
        present = path.stat()
    except FileNotFoundError:
        present = None
    if present is not None:
        seen += 1
        broken += _read_file(path) is None
    if sys.stdin.closed or seen > 2000:
        break
    import select
    if select.select([sys.stdin], [], [], 0)[0]:
        break
print(seen, broken)
"""


def test_concurrent_writers_never_leave_a_half_written_file(cache_path: Path) -> None:
    env = {"PYTHONPATH": str(Path(start_cache.__file__).parents[2]), "PATH": "/usr/bin:/bin",
           "PYTHONDONTWRITEBYTECODE": "1"}
    reader = subprocess.Popen([sys.executable, "-c", READER, str(cache_path)], env=env,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, str(cache_path), str(n)],
                                env=env) for n in range(3)]
    assert [writer.wait(timeout=120) for writer in writers] == [0, 0, 0]
    out, _ = reader.communicate("stop\n", timeout=60)
    seen, broken = map(int, out.split())
    assert seen > 0 and broken == 0  # every read found a whole file of one writer
    cache = StartCache(cache_path)
    cache.read()
    assert len(cache.code) >= 40 * 3  # the last writer's entries: its own, at least
    assert not list(cache_path.parent.glob("*.tmp"))


def test_exec_without_globals_is_left_to_python(cache_path: Path) -> None:
    start_cache.install(cache_path)
    namespace: dict[str, object] = {}
    vars(dataclasses)["exec"]("x = 1", namespace)
    assert namespace["x"] == 1
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert vars(collections)["eval"]("  1 + 1", {}) == 2  # leading blanks: eval's own


CSS = """
$accent-ish: $accent 50%;
Screen > #form-topic.-compact:focus-within, Label { /* a comment */
    color: $accent-ish; padding: 0 1 !important;
    &:hover { background: red 20%; }
}
"""


def tokens_of(tokenizer: object, text: str, read_from: tuple[str, str]) -> list[tuple[object, ...]]:
    return [tuple(token) for token in tokenizer(text, read_from)]  # type: ignore[operator]


def test_textual_css_is_tokenized_the_same(cache_path: Path) -> None:
    from textual.css.tokenize import tokenize, tokenize_value
    from textual.css.tokenizer import TokenError
    from textual.widget import Widget

    texts = [(tokenize, CSS, ("quiz.tcss", "")), (tokenize, Widget.DEFAULT_CSS, ("w.py", "W")),
             (tokenize_value, "$primary 30%", ("__theme__", ""))]
    plain = [tokens_of(*text) for text in texts]
    start_cache.install(cache_path)
    start_cache_css.install()
    first = [tokens_of(*text) for text in texts]
    assert start_cache.save()
    start_cache.uninstall()
    cache = start_cache.install(cache_path)
    start_cache_css.install()
    assert len(cache.tokens) == 3
    again = [tokens_of(*text) for text in texts]
    assert cache.new == 0
    assert first == plain and again == plain
    for _ in range(2):  # an error is not kept: raised again, after the same tokens
        with pytest.raises(TokenError):
            tokens_of(tokenize, "Label { color: red; }\n}}} @", ("bad.tcss", ""))
    assert len(cache.tokens) == 3


def test_textual_tokens_of_another_textual_are_dropped(cache_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from textual.css.tokenize import tokenize

    plain = tokens_of(tokenize, CSS, ("quiz.tcss", ""))
    start_cache.install(cache_path)
    start_cache_css.install()
    tokens_of(tokenize, CSS, ("quiz.tcss", ""))
    assert start_cache.save()
    start_cache.uninstall()
    monkeypatch.setattr(start_cache_css, "_textual_version", lambda: "textual-0.0.1.dist-info")
    cache = start_cache.install(cache_path)
    assert cache.tokens
    start_cache_css.install()
    assert not cache.tokens
    assert tokens_of(tokenize, CSS, ("quiz.tcss", "")) == plain
    assert cache.new == 1  # tokenized again, for this Textual
    assert start_cache.save()
    start_cache.uninstall()
    cache = start_cache.install(cache_path)
    assert cache.textual == "textual-0.0.1.dist-info" and len(cache.tokens) == 1


def test_a_fifo_in_its_place_is_not_waited_on(cache_path: Path) -> None:
    import os

    cache_path.parent.mkdir(parents=True)
    os.mkfifo(cache_path)
    cache = start_cache.install(cache_path)  # would block forever reading a FIFO
    assert cache is not None and not cache.code
