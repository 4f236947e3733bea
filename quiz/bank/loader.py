"""Reading bank directories into a validated :class:`Bank`.

Fast path: every file is parsed by libyaml's safe loader and validated by pydantic. Only when
something is wrong is the file composed a second time to find line and column numbers.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, get_args

from pydantic import BaseModel, Field, ValidationError

from quiz.bank.bank import Bank, as_domain
from quiz.bank.checks import cross_check
from quiz.bank.controls import Loc, describe
from quiz.bank.files import not_a_file
from quiz.bank.models import Catalog, Question, QuestionFile
from quiz.bank.parsed import LoadState as _Load
from quiz.bank.parsed import ParsedFile as _File
from quiz.bank.problems import BankError, Problem
from quiz.bank.reading import (
    CATALOG_NAME,
    SCENARIO_DIR,
    SUFFIXES,
    Parsed,
    bank_files,
    bank_root,
    display_path,
    parse_file,
    scan_bank,
)
from quiz.textsafe import quote, shorten

__all__ = ["CATALOG_NAME", "SCENARIO_DIR", "bank_files", "bank_root", "check_bank",
           "display_path", "load_bank", "parse_file"]

PARALLEL_BYTES = 4_000_000  # below this, starting worker processes costs more than it saves
_YAML11_BOOLEANS = frozenset("y n yes no on off".split())


def check_bank(paths: Iterable[Path], *, similar: bool = True,
               for_use: bool = True) -> tuple[Bank | None, list[Problem]]:
    """Load and validate every bank in ``paths``; the bank is None when there is any error.

    ``for_use``: the bank holds ``quiz.bank.domain`` objects, as the app needs; False (``quiz
    validate``, which only counts them) leaves the format models and saves converting them.
    """
    state = _Load()
    roots: list[Path] = []
    bare: list[Path] = []  # banks without a catalog of their own
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            looped = "a loop of symbolic links" in (not_a_file(path) or "")
            state.problems.append(Problem(str(path), 0, 0, "cannot read: a loop of symbolic "
                                          "links" if looped else "no such file or directory"))
            continue
        if not path.is_dir() and (path.suffix not in SUFFIXES or not_a_file(path)):
            # Only a bank file stands for the bank around it: a FIFO, a device or notes.txt
            # given as a bank must not make its whole directory tree one (/dev, a home).
            reason = not_a_file(path) or "not a YAML file"
            state.problems.append(Problem(str(path), 0, 0, f"not a bank: {reason}; give a "
                                          "bank directory, or a YAML file inside one"))
            continue
        root = bank_root(path)
        if root in roots:
            continue
        roots.append(root)
        if not _load_root(root, state):
            bare.append(root)
    if len(bare) == len(roots):  # a bank may use the catalog of the banks loaded with it
        state.problems += [Problem(
            display_path(root), 0, 0,
            f"no {CATALOG_NAME} in this bank: every bank needs one catalog of its topics, "
            "sources and concepts, or another bank loaded with it that has one") for root in bare]
    if not roots and not state.problems:
        state.problems.append(Problem(".", 0, 0, "no bank given"))
    bank = cross_check(tuple(roots), state, similar=similar)
    state.problems += state.crowd_notes()
    problems = sorted(state.problems, key=lambda p: (p.path, p.line, p.col, p.message))
    if any(p.severity == "error" for p in problems):
        return None, problems
    return (as_domain(bank) if for_use else bank), problems


def load_bank(paths: Iterable[Path], *, similar: bool = False) -> Bank:
    """Load banks for use; raises :class:`BankError` listing every problem if any is an error."""
    bank, problems = check_bank(paths, similar=similar)
    if bank is None:
        raise BankError(problems)
    return bank


def _load_root(root: Path, state: _Load) -> bool:
    """Load one bank into ``state``; returns whether it has a catalog of its own."""
    files, unreadable = scan_bank(root)
    state.problems += unreadable
    catalogs = [p for p in files if p.name == CATALOG_NAME]
    for extra in catalogs[1:]:
        state.problems.append(Problem(
            display_path(extra), 1, 1,
            f"a second {CATALOG_NAME} in one bank (the first is {display_path(catalogs[0])})"))
    jobs = [(path, display_path(path)) for path in files]
    for (path, display), (data, problem, controls) in zip(jobs, _parse_all(jobs), strict=True):
        if problem is not None:
            state.problems.append(problem)
            continue
        f = _File(path, display, data, root=root)
        _report_controls(f, controls, state)
        if path == (catalogs[0] if catalogs else None):
            catalog = _validate(f, Catalog, state, "a catalog with sources, topics and concepts")
            if catalog is not None:
                state.catalogs.append((f, catalog))
        elif path.name != CATALOG_NAME:
            _load_questions(f, state)
    return bool(catalogs)


def _report_controls(f: _File, controls: list[tuple[Loc, bool, str]], state: _Load) -> None:
    """Control characters are errors wherever they are; pydantic then skips those places."""
    for loc, is_key, char in controls:
        f.flagged.add(loc)
        what = "a key" if is_key else (_label(loc) or "text")
        state.error(f, loc, f"{what} holds the control character {describe(char)}: a bank "
                    "may not hold terminal escapes or other control characters",
                    _item_id(f.data, loc), key=is_key)


def _parse_one(job: tuple[Path, str]) -> Parsed:
    return parse_file(*job)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _parse_all(jobs: list[tuple[Path, str]]) -> list[Parsed]:
    """Parse every file; a large bank is parsed on all cores, since libyaml is the bottleneck."""
    import multiprocessing as mp  # start-up stays lean for the small banks most people have
    from concurrent.futures import ProcessPoolExecutor

    workers = min(len(jobs), os.cpu_count() or 1)
    size = sum(_size(p) for p, _ in jobs)
    if workers < 2 or size < PARALLEL_BYTES or "fork" not in mp.get_all_start_methods():
        return [parse_file(p, d) for p, d in jobs]
    with ProcessPoolExecutor(workers, mp_context=mp.get_context("fork")) as pool:
        return list(pool.map(_parse_one, jobs))


def _load_questions(f: _File, state: _Load) -> None:
    # Validated one question at a time, so one broken question does not hide the others
    # from the cross-file checks (duplicate ids, unknown concepts).
    shell = _validate(f, _QuestionFileShell, state, "a question file with topic and questions")
    if shell is None:
        return
    state.topic_refs.append((f, shell.topic))
    for i, item in enumerate(shell.questions):
        try:
            q = Question.model_validate(item)
        except ValidationError as exc:
            reported: set[tuple[Any, ...]] = set()
            for err in exc.errors():
                err["loc"] = ("questions", i, *err["loc"])
                report_validation_error(f, err, state, QuestionFile, reported)
            continue
        q._topic = shell.topic
        q._origin = f.display
        state.questions.append((f, i, q))


class _QuestionFileShell(QuestionFile):
    questions: list[Any] = Field(default_factory=list)  # type: ignore[assignment]


def _validate(f: _File, model: type[BaseModel], state: _Load, what: str) -> Any:
    if f.data is None:
        state.problems.append(Problem(f.display, 1, 1, f"empty file: expected {what}"))
        return None
    if not isinstance(f.data, dict):
        state.error(f, (), f"expected {what}, found {_type_name(f.data)}")
        return None
    try:
        return model.model_validate(f.data)
    except ValidationError as exc:
        reported: set[tuple[Any, ...]] = set()
        for err in exc.errors():
            report_validation_error(f, err, state, model, reported)
        return None


def _walk(data: Any, loc: Sequence[str | int]) -> tuple[tuple[str | int, ...], Any]:
    """The longest prefix of ``loc`` that exists in ``data``, and the value there."""
    done: list[str | int] = []
    for part in loc:
        if isinstance(data, dict) and part in data:
            data = data[part]
        elif isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
            data = data[part]
        else:
            break
        done.append(part)
    return tuple(done), data


def _item_id(data: Any, loc: Sequence[str | int]) -> str | None:
    """The id of the question (or concept, topic, source) that ``loc`` points into."""
    if len(loc) >= 2 and isinstance(loc[1], int):
        _, item = _walk(data, loc[:2])
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            return item["id"]
    return None


def _label(loc: Sequence[str | int]) -> str:
    parts = list(loc[2:]) if len(loc) >= 2 and isinstance(loc[1], int) else list(loc)
    out = ""
    for part in parts:
        out += f"[{part + 1}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def report_validation_error(f: _File, err: Any, state: _Load, model: type[BaseModel],
            reported: set[tuple[Any, ...]]) -> None:
    """Turn one pydantic error into a Problem at its line, in words a question author uses."""
    if state.crowded(f):
        return
    loc = tuple(err["loc"])
    kind = err["type"]
    qid = _item_id(f.data, loc)
    if kind == "missing":
        where, _ = _walk(f.data, loc[:-1])
        if (where, loc[-1]) in reported:
            return
        reported.add((where, loc[-1]))
        state.error(f, where, f"missing required key '{loc[-1]}'", qid)
        return
    where, value = _walk(f.data, loc)
    if where in reported or where in f.flagged:
        return
    reported.add(where)
    label = _label(where)
    prefix = f"{label}: " if label else ""
    if kind == "extra_forbidden":
        key = str(where[-1])
        import difflib  # only on the error path

        owner = _owner_model(where, model)
        hint = difflib.get_close_matches(key, list(owner.model_fields), n=1)
        suggestion = f" (did you mean '{hint[0]}'?)" if hint else ""
        state.error(f, where, f"unknown key {quote(key)}{suggestion}", qid, key=True)
        return
    if kind == "string_pattern_mismatch" and err["ctx"].get("pattern") == r"\S":
        message = f"{prefix}must not be blank"
    elif kind == "string_pattern_mismatch":
        message = (f"{prefix}{quote(value)} is not a valid id: use lower-case letters, digits "
                   "and '-'")
    elif kind in ("too_short", "too_long") and where and where[-1] == "choices":
        count = len(value) if isinstance(value, list) else 0
        message = f"choices: a question has 2 to 6 choices, this one has {count}"
    elif kind == "too_short" and where and where[-1] == "concepts":
        message = "concepts: name at least one concept the question tests"
    elif kind in ("bool_type", "bool_parsing"):
        message = f"{prefix}expected true or false, found {quote(value)}"
        if isinstance(value, str) and value.lower() in _YAML11_BOOLEANS:
            message += " (a bank follows YAML 1.2: only true and false are booleans)"
    elif kind == "string_type":
        message = f"{prefix}expected text, found {_type_name(value)}"
    elif kind in ("int_type", "int_from_float", "int_parsing"):  # 80.5 or 80.0 for a port
        wanted = ("a port number (a whole number 1-65535) or a port name"
                  if where and where[-1] == "port" else "a whole number")
        message = f"{prefix}expected {wanted}, found {_type_name(value)}"
    elif kind == "list_type":
        message = f"{prefix}expected a list, found {_type_name(value)}"
    elif kind in ("model_type", "model_attributes_type", "dict_type"):
        message = f"{prefix}expected a mapping of keys, found {_type_name(value)}"
    elif kind == "value_error":
        message = prefix + shorten(str(err["msg"]).removeprefix("Value error, "), 200)
    else:  # pydantic's own words (its messages name the rule, never repeat the input)
        text = shorten(str(err["msg"]), 200)
        message = f"{prefix}{text[:1].lower()}{text[1:]}"
    state.error(f, where, message, qid)


def _owner_model(loc: Sequence[str | int], model: type[BaseModel]) -> type[BaseModel]:
    """The model class that owns the last key of ``loc`` (for 'did you mean' hints)."""
    owner = model
    for part in loc[:-1]:
        if isinstance(part, str) and part in owner.model_fields:
            nested = _nested_model(owner.model_fields[part].annotation)
            if nested is not None:
                owner = nested
    return owner


def _nested_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _nested_model(arg)
        if found is not None:
            return found
    return None


def _type_name(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, float):  # 80.0 is a decimal number to YAML, not the port 80
        return f"the decimal number {quote(value)}"
    return {dict: "a mapping", list: "a list", str: "text", bool: "true/false",
            int: "a number", float: "a number"}.get(type(value), type(value).__name__)


