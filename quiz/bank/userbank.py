"""A bank of the user's own: what it builds on, and the editor support written beside it.

A bank that defines no topics (no ``concepts.yaml``, or one with ``concepts: []`` as ``quiz add``
creates it) cannot stand alone: its questions use the topics, sources and concepts of the banks
it is loaded with. ``quiz validate ~/my-bank`` therefore checks it together with the default
banks and reports only what is wrong in it.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from quiz.bank.bank import Bank
from quiz.bank.loader import CATALOG_NAME, bank_files, bank_root, check_bank, parse_file
from quiz.bank.problems import Problem

SCHEMA_NAME = "questions.schema.json"  # what the header of a new topic file points at
_SCHEMA_TITLE = "quiz question file"  # json_schema("questions")'s title: ours to refresh


@dataclass
class Checked:
    """The result of checking banks, perhaps on top of others (``based_on``)."""

    bank: Bank | None
    problems: list[Problem]
    based_on: list[Path] = field(default_factory=list)
    own_counts: tuple[int, int, int] = (0, 0, 0)  # questions, concepts, topics of the targets

    def summary(self) -> str:
        """'152 questions, 41 concepts, 8 topics', of the checked banks themselves."""
        if self.bank is None:
            return "not loaded"
        if not self.based_on:
            return self.bank.summary()
        return ", ".join(f"{n} {word}{'' if n == 1 else 's'}" for n, word in
                         zip(self.own_counts, ("question", "concept", "topic"), strict=True))


def _root_of(path: Path) -> Path:
    return bank_root(path) if path.exists() else path


def _key(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return path.absolute()


def _catalog_data(root: Path) -> list[Any]:
    """The parsed catalogs of a bank (unreadable or invalid ones are left to the loader)."""
    if not root.is_dir():
        return []
    out = []
    for path in bank_files(root):
        if path.name == CATALOG_NAME:
            data, problem, controls = parse_file(path, str(path))
            if problem is None and not controls and isinstance(data, dict):
                out.append(data)
    return out


def defines_topics(targets: Sequence[Path]) -> bool:
    """Whether any of the banks ``targets`` defines a topic (and so may stand alone)."""
    return any(isinstance(c.get("topics"), list) and c["topics"]
               for t in targets for c in _catalog_data(_root_of(Path(t))))


def check_on_defaults(targets: Sequence[Path], defaults: Sequence[Path], *,
                      similar: bool = True, for_use: bool = True) -> Checked:
    """Check the banks ``targets``; if none of them defines a topic, on top of ``defaults``
    (the banks the app loads, those among the targets aside), reporting only the targets'
    own problems: unknown references, ids or stems the same as a default bank's."""
    targets = [Path(t) for t in targets]
    if defines_topics(targets):
        bank, problems = check_bank(targets, similar=similar, for_use=for_use)
        return Checked(bank, problems)
    mine = [_key(_root_of(t)) for t in targets]
    context = [Path(d) for d in defaults if Path(d).exists() and not any(
        _key(Path(d)) == m or _key(Path(d)).is_relative_to(m) or m.is_relative_to(_key(Path(d)))
        for m in mine)]
    if not context:
        bank, problems = check_bank(targets, similar=similar, for_use=for_use)
        return Checked(bank, problems)
    bank, problems = check_bank([*context, *targets], similar=similar, for_use=for_use)
    roots = [_key(c) for c in context]
    own = [p for p in problems if not any(_key(Path(p.path)).is_relative_to(r) for r in roots)]
    if bank is None and not any(p.severity == "error" for p in own):
        errors = sum(p.severity == "error" for p in problems)
        own.append(Problem(str(context[0]), 0, 0, f"the banks this one builds on have {errors} "
                           f"error{'s' * (errors != 1)} of their own: `quiz validate` without a "
                           "path lists them"))
    return Checked(bank, own, context, _own_counts(bank, mine))


def _own_counts(bank: Bank | None, roots: list[Path]) -> tuple[int, int, int]:
    if bank is None:
        return (0, 0, 0)
    questions = sum(any(_key(Path(q.origin)).is_relative_to(r) for r in roots)
                    for q in bank.questions.values())
    catalogs = [c for r in roots for c in _catalog_data(r)]
    concepts, topics = (sum(len(c.get(k) or []) if isinstance(c.get(k), list) else 0
                            for c in catalogs) for k in ("concepts", "topics"))
    return questions, concepts, topics


def write_schema(bank_dir: Path) -> Path | None:
    """Write ``questions.schema.json`` beside the bank's question files (their header points
    at it) unless it is there already; one this function wrote before is refreshed when the
    format changed. Returns the file written, or None."""
    from quiz.bank.schema import json_schema

    target = bank_dir / SCHEMA_NAME
    text = json.dumps(json_schema("questions"), indent=2) + "\n"
    if target.is_symlink() or (target.exists() and not target.is_file()):
        return None  # not a file of ours
    if target.exists():
        try:
            current = target.read_text(encoding="utf-8")
            ours = json.loads(current).get("title") == _SCHEMA_TITLE
        except (OSError, UnicodeDecodeError, ValueError, AttributeError):
            return None  # the user's own file, whatever it holds
        if not ours or current == text:
            return None
    tmp = bank_dir / f".{SCHEMA_NAME}.{secrets.token_hex(4)}.tmp"
    try:
        with open(tmp, "x", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, target)
    except OSError:
        return None  # a convenience for editors: the questions are written either way
    finally:
        tmp.unlink(missing_ok=True)
    return target
