"""A ``kubectl get ... -o json`` dump parsed in C, with the one check ``json.loads`` skips.

JSON, like YAML, says nothing of a key given twice; Python keeps the last one silently, so a
dump edited by hand (two ``labels`` in one pod) would be evaluated on half of what it says.
YAML manifests refuse a repeated key (quiz.safeyaml); a JSON dump does too. The check rides on
``object_pairs_hook``: the C parser hands each object's pairs to it, and building the dict
there costs little more than ``json.loads`` building it in C: a Python call and a list of pairs
per object: 12% more instructions in ``load_manifests_text`` of a 3,000-pod ``kubectl`` dump
(107,000 objects, 17 MB; callgrind 1.92 → 2.14 G, ~50 ms of ~0.45 s). Pausing the collector
during the parse was tried: the parse got faster, the build after it slower by more.

Only a refusal pays for its place: the dump is parsed again to find the first object holding
the repeat (its path, as other errors in large dumps name it), and a dump small enough to
compose as YAML (``limits.MAX_LOCATED_JSON_BYTES``) also gets the repeated key's line.
"""

from __future__ import annotations

import json
from typing import Any

import yaml

from quiz.netpol.errors import ManifestError
from quiz.netpol.limits import MAX_LOCATED_JSON_BYTES
from quiz.netpol.positions import YamlLoader
from quiz.netpol.reading import Loc, dotted
from quiz.textsafe import quote


class DuplicateKeyError(ValueError):
    """A key given twice in one JSON object (raised from inside ``json.loads``)."""


class _Repeated(dict):
    """An object that held a key twice, kept (last value wins) so its place can be found."""

    key: str


def load_dump(text: str, origin: str) -> Any:
    """``json.loads(text)``, with a repeated key in any object a :class:`ManifestError` naming
    the place; other JSON errors raise ``ValueError`` as ``json.loads`` does."""
    try:
        return json.loads(text, object_pairs_hook=_unique)
    except DuplicateKeyError:
        raise _placed(text, origin) from None


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        raise DuplicateKeyError
    return obj


def _marking(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) == len(pairs):
        return obj
    seen: set[str] = set()
    repeated = _Repeated(obj)
    repeated.key = next(k for k, _ in pairs if k in seen or seen.add(k))  # type: ignore[func-returns-value]
    return repeated


def _placed(text: str, origin: str) -> ManifestError:
    document = json.loads(text, object_pairs_hook=_marking)
    inner, key = _first_repeat(document)
    loc: Loc = (0, *inner)  # the dump is object 0, as other errors in it say
    message = f"duplicate key {quote(key, 40)}: a key may appear once in a mapping"
    if len(text) <= MAX_LOCATED_JSON_BYTES:
        try:  # JSON is YAML too (nearly always): the YAML loader refuses the same key, placed
            yaml.load(text, Loader=YamlLoader)  # noqa: S506 - the bounded safe loader
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark
            if mark is not None and (exc.problem or "").startswith("duplicate key"):
                where = f"{dotted(inner)}: " if inner else ""
                return ManifestError(origin, mark.line + 1, mark.column + 1,
                                     f"{where}{exc.problem}", loc)
        except (yaml.YAMLError, ValueError, RecursionError):
            pass  # not placed after all: the path below still names it
    head = f"object 0 {dotted(inner)}" if inner else "object 0"
    return ManifestError(origin, None, None, f"{head}: {message}", loc)


def _first_repeat(document: Any) -> tuple[Loc, str]:
    """The path (keys and indices from the top) of the first object holding a repeated key,
    in document order, and that key."""
    stack: list[tuple[Loc, Any]] = [((), document)]
    while stack:
        loc, value = stack.pop()
        if isinstance(value, _Repeated):
            return loc, value.key
        if isinstance(value, dict):
            children = [((*loc, k), v) for k, v in value.items() if isinstance(v, dict | list)]
        elif isinstance(value, list):
            children = [((*loc, i), v) for i, v in enumerate(value) if isinstance(v, dict | list)]
        else:
            continue
        stack.extend(reversed(children))
    raise AssertionError("a repeated key was seen while parsing but not found after it")
