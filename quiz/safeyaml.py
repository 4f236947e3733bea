"""The one YAML loader for banks and manifests: safe (no tag runs code) and bounded.

libyaml composes the node tree (C, and it refuses nesting past 1000 levels itself); this module
turns nodes into Python values in one pass that also refuses what no bank or manifest needs and
what would make a small file cost gigabytes or end in a traceback further on:

- aliases that repeat more than ``MAX_REPEATED_NODES`` nodes in a document ("billion laughs":
  the expanded size is counted over the node graph, each anchored node measured once);
- an alias inside its own anchor (``&a [*a]``): a recursive value;
- nesting deeper than ``MAX_DEPTH`` (counted through aliases too);
- integers longer than ``MAX_INT_DIGITS`` characters (Python refuses 4300 digits with an error
  that would otherwise be a traceback, and no bank or manifest needs more than a port number);
- a key given twice in one mapping (YAML says keys are unique; libyaml keeps the last);
- a mapping or list used as a key, and every tag but the plain ones.

Each refusal is a :class:`LimitError` (a ``yaml.MarkedYAMLError``, so existing ``except
yaml.YAMLError`` handlers catch it) carrying the line and column.

Two schemas. Banks (:class:`BankLoader`) follow YAML 1.2's core schema: only ``true``/``false``
are booleans, so ``no``, ``on`` and ``y`` are text; ``1:20`` is text, not 80; no timestamps and
no ``<<`` merge keys. Manifests (:class:`ManifestLoader`) keep YAML 1.1 (PyYAML's resolver), as
Kubernetes does: see the comment there.
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import Resolver

MAX_DEPTH = 64  # a question with an inline scenario nests ~20 levels deep
MAX_REPEATED_NODES = 10_000  # a scenario shared by a few questions repeats a few hundred
MAX_INT_DIGITS = 50

try:
    from yaml.cyaml import CParser as _Parser
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    class _Parser(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser,  # type: ignore[no-redef]
                  yaml.composer.Composer):
        def __init__(self, stream: Any) -> None:
            yaml.reader.Reader.__init__(self, stream)
            yaml.scanner.Scanner.__init__(self)
            yaml.parser.Parser.__init__(self)
            yaml.composer.Composer.__init__(self)

_Y = "tag:yaml.org,2002:"
STR, NULL, BOOL, INT, FLOAT = _Y + "str", _Y + "null", _Y + "bool", _Y + "int", _Y + "float"
SEQ, MAP, MERGE, TIMESTAMP = _Y + "seq", _Y + "map", _Y + "merge", _Y + "timestamp"
_BUSY = object()  # memo entry of a node whose value is being built: meeting it again is a loop
_SAFE = yaml.constructor.SafeConstructor()  # YAML 1.1 scalar constructors (manifests)


# Every value of a YAML document starts a line or follows one of these (a flow separator, a key's
# colon, a block entry's dash, a complex key, a tab): their count bounds the values libyaml
# would compose, up to about 2 (``a:`` is a key and a null). Counted in one C pass (4 ms a
# 2.6 MB file), it lets a file of a million tiny values be refused before libyaml spends
# seconds composing it (~6 µs a value, before any check of ours can run).
_VALUE_MARKS = b"\n,:-?[{\t"


def value_marks(data: str | bytes) -> int:
    """An upper estimate of the values YAML ``data`` holds, counted without parsing it."""
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    return len(raw) - len(raw.translate(None, _VALUE_MARKS))


def refused_character(text: str, exc: yaml.reader.ReaderError) -> tuple[int, int, str]:
    """Line, column (1-based) and the character of a ReaderError: a raw control character in
    the text, which libyaml refuses before any token (its position counts UTF-8 bytes)."""
    raw = text.encode("utf-8", "surrogatepass")
    at = min(max(exc.position, 0), len(raw))
    start = raw.rfind(b"\n", 0, at) + 1
    col = len(raw[start:at].decode("utf-8", "replace")) + 1
    character = exc.character if isinstance(exc.character, str) else chr(exc.character)
    return raw.count(b"\n", 0, at) + 1, col, character


class LimitError(yaml.MarkedYAMLError):
    """YAML refused for its shape (size, depth, recursion, duplicate key…), with its position."""

    def __init__(self, problem: str, node: Node) -> None:
        super().__init__(problem=problem, problem_mark=node.start_mark)


class _Core12Resolver:
    """YAML 1.2 core schema tags for plain scalars: everything that is not null, true/false or
    a number is text. One regular expression, tried only on scalars that can start a match."""

    _SCALAR = re.compile(
        r"(?P<null>~|null|Null|NULL)"
        r"|(?P<bool>true|True|TRUE|false|False|FALSE)"
        r"|(?P<int>[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)"
        r"|(?P<float>[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))")
    _FIRST = frozenset("~nNtTfF0123456789+-.")
    _TAGS = {"null": NULL, "bool": BOOL, "int": INT, "float": FLOAT}

    def resolve(self, kind: type, value: str | None, implicit: tuple[bool, bool]) -> str:
        if kind is ScalarNode:
            if implicit[0] and value is not None:
                if not value:
                    return NULL
                if value[0] in self._FIRST:
                    match = self._SCALAR.fullmatch(value)
                    if match:
                        return self._TAGS[match.lastgroup or ""]
            return STR
        return SEQ if kind is SequenceNode else MAP

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        """No path resolvers: nothing to track while composing."""

    def ascend_resolver(self) -> None:
        """No path resolvers: nothing to track while composing."""


class _BoundedConstructor:
    """Builds values from a composed document, refusing what the module docstring lists."""

    yaml_1_1 = False

    def check_data(self) -> bool:
        return self.check_node()  # type: ignore[attr-defined,no-any-return]

    def get_data(self) -> Any:
        return self.construct_document(self.get_node())  # type: ignore[attr-defined]

    def get_single_data(self) -> Any:
        node = self.get_single_node()  # type: ignore[attr-defined]
        return None if node is None else self.construct_document(node)

    def construct_document(self, node: Node) -> Any:
        # Per document: an anchored node -> (value, nodes under it, levels under it).
        self._memo: dict[Node, Any] = {}
        self._count = 0  # nodes built so far, repeats included
        self._repeated = 0  # nodes built again because an alias named them
        self._deepest = 0
        # Text without "&" has no anchors, so no node can be met twice: skip the bookkeeping
        # (a third of the build time on a large bank).
        self._child = self._build if self._may_alias else self._plain
        return self._child(node, 1)

    def _plain(self, node: Node, depth: int) -> Any:
        """Build a node of a document without aliases: only depth and tags to check."""
        if node.__class__ is ScalarNode:
            return self._scalar(node)
        if depth > MAX_DEPTH:
            raise LimitError(f"nested more than {MAX_DEPTH} levels deep", node)
        if node.__class__ is SequenceNode and node.tag == SEQ:
            return [self._plain(child, depth + 1) for child in node.value]
        if node.__class__ is MappingNode and node.tag == MAP:
            return self._mapping(node, depth)
        raise _unknown_tag(node)

    def _build(self, node: Node, depth: int) -> Any:
        if node.__class__ is ScalarNode:
            return self._scalar(node)
        seen = self._memo.get(node)
        if seen is not None:
            return self._again(node, seen, depth)
        if depth > MAX_DEPTH:
            raise LimitError(f"nested more than {MAX_DEPTH} levels deep", node)
        self._memo[node] = _BUSY
        start, outer = self._count, self._deepest
        self._deepest = depth
        self._count += len(node.value)
        if node.__class__ is SequenceNode and node.tag == SEQ:
            value: Any = [self._build(child, depth + 1) for child in node.value]
        elif node.__class__ is MappingNode and node.tag == MAP:
            value = self._mapping(node, depth)
        else:
            raise _unknown_tag(node)
        self._memo[node] = (value, self._count - start, self._deepest - depth)
        self._deepest = max(outer, self._deepest)
        return value

    def _again(self, node: Node, seen: Any, depth: int) -> Any:
        """A node met a second time: an alias, which repeats the whole of it."""
        if seen is _BUSY:
            raise LimitError("an alias inside its own anchor: the value would contain itself",
                             node)
        value, size, height = seen
        self._count += size
        self._repeated += size + 1
        if self._repeated > MAX_REPEATED_NODES:
            raise LimitError(
                f"aliases repeat more than {MAX_REPEATED_NODES:,} values in this document "
                "(an alias bomb?): write the values out, or share less", node)
        if depth + height > MAX_DEPTH:
            raise LimitError(f"nested more than {MAX_DEPTH} levels deep (through an alias)",
                             node)
        self._deepest = max(self._deepest, depth + height)
        return value

    def _mapping(self, node: MappingNode, depth: int) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        merged: list[dict[Any, Any]] = []
        for key_node, value_node in node.value:
            if key_node.__class__ is not ScalarNode:
                kind = "list" if key_node.__class__ is SequenceNode else "mapping"
                raise LimitError(f"a {kind} used as a key: keys are plain names", key_node)
            if self.yaml_1_1 and key_node.tag == MERGE:
                merged += self._merge(value_node, depth)
                continue
            key = self._scalar(key_node)
            if key in result:
                first = next(k for k, _ in node.value if k is not key_node
                             and k.__class__ is ScalarNode and self._scalar(k) == key)
                raise LimitError(
                    f"duplicate key {_short(key_node.value)} (first at line "
                    f"{first.start_mark.line + 1}): a key may appear once in a mapping", key_node)
            result[key] = self._child(value_node, depth + 1)
        for extra in merged:  # keys written out win over merged ones, as YAML 1.1 says
            for key, value in extra.items():
                result.setdefault(key, value)
        return result

    def _merge(self, node: Node, depth: int) -> list[dict[Any, Any]]:
        sources = node.value if node.__class__ is SequenceNode else [node]
        values = [self._child(source, depth + 1) for source in sources]
        if not all(isinstance(v, dict) for v in values):
            raise LimitError("a merge key (<<) takes a mapping or a list of mappings", node)
        return values

    def _scalar(self, node: Node) -> Any:
        tag, value = node.tag, node.value
        if tag == STR:
            return value
        if tag == NULL:
            return None
        if tag == INT:
            digits = len(value.lstrip("+-"))
            if digits > MAX_INT_DIGITS:
                raise LimitError(f"a number of {digits} digits (at most {MAX_INT_DIGITS}): "
                                 "quote it if it is text", node)
        try:
            if self.yaml_1_1 and tag in (BOOL, INT, FLOAT, TIMESTAMP):
                return _SAFE.yaml_constructors[tag](_SAFE, node)
            if tag == BOOL and value in ("true", "True", "TRUE", "false", "False", "FALSE"):
                return value[0] in "tT"
            if tag == INT:
                base = {"0o": 8, "0x": 16}.get(value[:2], 10)
                return int(value[2:] if base != 10 else value, base)
            if tag == FLOAT:
                lower = value.lower()
                if lower.endswith((".inf", ".nan")):
                    return float(lower.replace(".", ""))
                return float(value)
        except (ValueError, TypeError, KeyError, AttributeError, yaml.YAMLError):
            pass
        if tag in (BOOL, INT, FLOAT, TIMESTAMP):
            what = {BOOL: "true or false", INT: "an integer", FLOAT: "a number",
                    TIMESTAMP: "a date"}[tag]
            raise LimitError(f"{_short(value)} is not {what}", node)
        raise _unknown_tag(node)


class BankLoader(_Parser, _BoundedConstructor, _Core12Resolver):
    """Banks: YAML 1.2 core schema, bounded (see the module docstring)."""

    def __init__(self, stream: Any) -> None:
        _Parser.__init__(self, stream)
        self._may_alias = _may_alias(stream)


class ManifestLoader(_Parser, _BoundedConstructor, Resolver):
    """Kubernetes manifests: the same bounds, YAML 1.1 scalars.

    Kubernetes reads manifests with sigs.k8s.io/yaml (go-yaml v2: YAML 1.1), where ``on``,
    ``yes`` and ``off`` are booleans: ``app: on`` as a label value is refused by kubectl, so it
    is refused here too rather than quietly read as the text "on". Merge keys (``<<``), which
    go-yaml also accepts, work the same way.
    """

    yaml_1_1 = True

    def __init__(self, stream: Any) -> None:
        _Parser.__init__(self, stream)
        Resolver.__init__(self)
        self._may_alias = _may_alias(stream)


# Bounded, YAML 1.1: for code that must read text the way YAML 1.1 tools do as well. The bank
# writer checks that what it writes loads back as intended with it, so a value that YAML 1.1
# and 1.2 read differently (``no``, ``on``, ``=``, ``1:20``) is written quoted and reads the
# same in every editor and linter. Reading a bank is BankLoader's job.
SAFE_LOADER: type = ManifestLoader


def _may_alias(stream: Any) -> bool:
    """Whether a document can hold an alias: every anchor is written with "&"."""
    if isinstance(stream, str):
        return "&" in stream
    if isinstance(stream, bytes):
        return b"&" in stream
    return True  # a file object: read by the parser, not seen here


def _short(value: str) -> str:
    from quiz.textsafe import quote

    return quote(value, 40)


def _unknown_tag(node: Node) -> yaml.constructor.ConstructorError:
    # The wording PyYAML uses, which the bank loader turns into "unknown/unsafe YAML tag".
    return yaml.constructor.ConstructorError(
        None, None, f"could not determine a constructor for the tag {node.tag[:100]!r}",
        node.start_mark)
