"""Questions from a file, as scripts and generators write them: ``quiz add --from FILE`` and
``quiz edit ID --from FILE``.

Every problem is reported at its place in FILE (``FILE:line:col: id: message``), all of them
before anything is written; the writes go through :mod:`quiz.bank.writer`, and several added
questions are all written or none (the files are put back if a later one fails).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from quiz import paths
from quiz.bank import drafts, writer
from quiz.bank.bank import Bank
from quiz.bank.controls import describe
from quiz.bank.loader import CATALOG_NAME, check_bank, display_path, parse_file
from quiz.bank.parsed import MAX_PROBLEMS_PER_FILE
from quiz.bank.positions import Locator
from quiz.bank.problems import Problem
from quiz.textsafe import quote

FILE_KEYS = ("topic", "questions")
MAX_STREAM = 16_000_000  # `--from -`: far more than any file of questions
Loc = tuple[str | int, ...]


class ImportFailed(Exception):
    """Nothing was written; ``problems`` are at their places in the file, or ``str`` says why."""

    def __init__(self, message: str, problems: Sequence[Problem] = ()) -> None:
        # As when a bank is loaded: the first problems of a file, then how many more it has.
        self.problems = list(problems[:MAX_PROBLEMS_PER_FILE])
        if len(problems) > MAX_PROBLEMS_PER_FILE:
            self.problems.append(Problem(
                problems[0].path, 0, 0, f"{len(problems) - MAX_PROBLEMS_PER_FILE:,} more "
                f"errors in this file not shown (the first {MAX_PROBLEMS_PER_FILE} are)"))
        super().__init__(message)


@dataclass
class SourceFile:
    """A file of questions as read: its data and the means to find places in it."""

    path: Path
    display: str
    data: Any
    _locator: Locator | None = None

    def position(self, loc: Loc, *, key: bool = False) -> tuple[int, int]:
        """1-based line and column of ``loc`` (or of its deepest existing parent)."""
        if self._locator is None:
            self._locator = Locator(self.path.read_text(encoding="utf-8-sig"))
        return self._locator.key_position(loc) if key else self._locator.position(loc)

    def at(self, loc: Loc, message: str, qid: str | None = None, *, warning: bool = False,
           key: bool = False) -> Problem:
        """A problem at ``loc`` in this file."""
        line, col = self.position(loc, key=key)
        return Problem(self.display, line, col, message, qid, "warning" if warning else "error")


def read_source(path: Path, display: str | None = None) -> SourceFile:
    """The file parsed (as the loader parses bank files), or :class:`ImportFailed`."""
    shown = display or display_path(path)
    data, problem, controls = parse_file(path, shown)
    if problem is not None:
        raise ImportFailed(f"{shown} cannot be read", [problem])
    if data is None:
        raise ImportFailed(f"{shown} is empty", [Problem(
            shown, 1, 1, "empty file: expected a question file with topic and questions")])
    src = SourceFile(path, shown, data)
    src.position(())  # read now: a file given as standard input is gone afterwards
    if controls:  # as in a bank file: no terminal escapes or other control characters
        raise ImportFailed(f"{shown} holds control characters", [src.at(
            loc, f"{'a key' if is_key else 'text'} holds the control character "
            f"{describe(char)}: a bank may not hold terminal escapes or other control "
            "characters", key=is_key) for loc, is_key, char in controls])
    return src


def read_stream(stream: BinaryIO, display: str = "<stdin>") -> SourceFile:
    """``read_source`` of what ``stream`` holds (``quiz add --from -``), up to MAX_STREAM."""
    import tempfile

    try:
        data = stream.read(MAX_STREAM + 1)
    except OSError as exc:  # standard input opened for writing only, say
        raise ImportFailed(f"{display}: cannot read: {exc.strerror or exc}") from None
    if len(data) > MAX_STREAM:
        raise ImportFailed(f"{display} holds more than {MAX_STREAM // 1_000_000} MB: too much "
                           "for a file of questions")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "stdin.yaml"
        path.write_bytes(data)
        return read_source(path, display)


def _kind(value: Any) -> str:
    return {dict: "a mapping", list: "a list", str: "text", bool: "true/false", int: "a number",
            float: "a number"}.get(type(value), "nothing" if value is None else "a value")


def _id(item: Any) -> str | None:
    return item["id"] if isinstance(item, dict) and isinstance(item.get("id"), str) else None


def question_file(src: SourceFile, *, one: bool = False) -> tuple[str, list[Any]]:
    """The topic and questions of a file in the bank format (``topic:`` + ``questions:``);
    ``one``: exactly one question. Raises :class:`ImportFailed` listing what is wrong."""
    data, problems = src.data, []
    if not isinstance(data, dict):
        raise ImportFailed(f"{src.display} is not a question file", [src.at(
            (), f"expected a question file with topic and questions, found {_kind(data)}")])
    for key in data:
        if key not in FILE_KEYS:
            problems.append(src.at((key,), f"unknown key {quote(key)}: a question file has "
                                   "topic and questions", key=True))
    topic, questions = data.get("topic"), data.get("questions")
    if "topic" not in data:
        problems.append(src.at((), "missing required key 'topic'"))
    elif not isinstance(topic, str):
        problems.append(src.at(("topic",), f"topic: expected text, found {_kind(topic)}"))
    if "questions" not in data:
        problems.append(src.at((), "missing required key 'questions'"))
    elif not isinstance(questions, list):
        problems.append(src.at(("questions",), "questions: expected a list of questions, found "
                               f"{_kind(questions)}"))
    elif not questions:
        problems.append(src.at(("questions",), "questions: the list is empty"))
    elif one and len(questions) != 1:
        problems.append(src.at(("questions", 1), "questions: give the one question to put in "
                               f"place of the old one, not {len(questions)}"))
    if problems:
        raise ImportFailed(f"{src.display} is not a question file", problems)
    return str(topic), list(questions)


def check_questions(src: SourceFile, bank: Bank, topic: str, items: Sequence[tuple[Loc, Any]],
                    *, target: Path | None = None, replacing: str | None = None) -> list[Problem]:
    """Every problem ``quiz validate`` would find in the questions ``items`` (each with its
    place in the file) once filed under ``topic`` in the file ``target`` beside ``bank``; their
    ids and stems are also checked against each other."""
    problems: list[Problem] = []
    first: dict[str, Loc] = {}
    top = isinstance(src.data, dict) and "topic" in src.data
    for loc, item in items:
        qid = _id(item)
        for fp in drafts.validate_draft(bank, topic, item, path=target, replacing=replacing):
            if fp.path[:1] == ("topic",):  # the file's, not the question's: reported once
                problems.append(src.at(("topic",) if top else loc, fp.message))
                continue
            # The loader points at an unknown key itself, at every other problem's value.
            problems.append(src.at((*loc, *fp.path), fp.message, qid,
                                   warning=fp.severity == "warning",
                                   key=fp.message.startswith("unknown key")))
        if qid is not None and qid in first:
            line, col = src.position(first[qid])
            problems.append(src.at((*loc, "id"), f"duplicate question id {quote(qid)} (first "
                                   f"defined at {src.display}:{line}:{col})", qid))
        elif qid is not None:
            first[qid] = (*loc, "id")
    stems = {n: (loc, item) for n, (loc, item) in enumerate(items)
             if isinstance(item, dict) and isinstance(item.get("question"), str)}
    if len(stems) > 1:
        from quiz.bank.similar import near_duplicates  # rapidfuzz: only for several questions

        for a, b, score in near_duplicates((str(n), i["question"]) for n, (_, i) in stems.items()):
            (loc_a, item_a), (loc_b, item_b) = stems[int(a)], stems[int(b)]
            line, col = src.position(loc_a)
            problems.append(src.at((*loc_b, "question"), f"question text is {score:.0f}% the "
                                   f"same as {quote(_id(item_a) or 'the question')} "
                                   f"({src.display}:{line}:{col})", _id(item_b), warning=True))
    return list(dict.fromkeys(problems))  # the topic's problem once, not once per question


def load_context(bank_paths: Sequence[Path]) -> Bank:
    """The banks questions are checked against; :class:`ImportFailed` if they have errors."""
    existing = _existing(bank_paths)
    bank, problems = check_bank(existing, similar=False) if existing else (Bank(()), [])
    if bank is None:
        errors = [p for p in problems if p.severity == "error"]
        raise ImportFailed(f"the banks have {len(errors)} error{'s' * (len(errors) != 1)} "
                           "already: fix them first (quiz validate lists them)", errors)
    return bank


def _existing(bank_paths: Sequence[Path]) -> list[Path]:
    out: dict[Path, Path] = {}
    for p in map(Path, bank_paths):
        if p.exists():
            out.setdefault(p.resolve(), p)
    return list(out.values())


def _raise_if_errors(problems: list[Problem], what: str) -> list[Problem]:
    """The warnings among ``problems``; :class:`ImportFailed` if there is any error."""
    errors = sum(p.severity == "error" for p in problems)
    if errors:
        raise ImportFailed(f"{what}: {errors} error{'s' * (errors != 1)}, nothing written",
                           problems)
    return problems


def add_from(src: SourceFile, bank_dir: Path,
             bank_paths: Sequence[Path]) -> tuple[Path, int, list[Problem]]:
    """Append every question of ``src`` to its topic's file in ``bank_dir`` (created if need
    be), all or none, after checking them against ``bank_paths`` and ``bank_dir``; returns the
    file written, how many questions were added, and the warnings."""
    topic, questions = question_file(src)
    context = _existing([*bank_paths, bank_dir])
    bank = load_context(context)
    target = writer.topic_file(bank_dir, topic) or bank_dir / f"{topic}.yaml"
    items = [(("questions", i), q) for i, q in enumerate(questions)]
    warnings = _raise_if_errors(check_questions(src, bank, topic, items, target=target),
                                src.display)
    try:
        path = _write_all(bank_dir, topic, [drafts.canonical_question(q) for q in questions],
                          context, bank)
    except writer.DraftError as exc:  # the checks above should have found it: say where
        raise ImportFailed(f"{src.display}: nothing written", [
            src.at(("questions", 0, *fp.path), str(fp)) for fp in exc.problems]) from exc
    return path, len(questions), warnings


def _write_all(bank_dir: Path, topic: str, questions: list[dict[str, Any]],
               with_banks: list[Path], bank: Bank) -> Path:
    """``writer.add_question`` for each question; if one fails, the files are put back."""
    new_dir = not bank_dir.exists()
    watched = [(bank_dir / CATALOG_NAME).resolve(),
               (writer.topic_file(bank_dir, topic) or bank_dir / f"{topic}.yaml").resolve()]
    before = {p: _read(p) for p in watched}
    after = dict(before)
    path = watched[1]
    try:
        for question in questions:
            path = writer.add_question(bank_dir, topic, question,
                                       expected=writer.topic_stamp(bank_dir, topic),
                                       with_banks=with_banks, bank=bank)
            after = {p: _read(p) for p in watched}
    except writer.BankWriteError as exc:
        kept = _undo(before, after)
        if new_dir:
            with contextlib.suppress(OSError):
                bank_dir.rmdir()  # only if it is empty again
        message = str(exc).split("\n", 1)[0]
        if kept:
            message += (f"; {', '.join(map(display_path, kept))} changed meanwhile and "
                        "kept the questions added before that")
        elif after != before:
            message += "; the questions added before it were taken out again"
        raise ImportFailed(message, exc.problems) from exc
    return path


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def _undo(before: dict[Path, bytes | None], after: dict[Path, bytes | None]) -> list[Path]:
    """Put back every file as it was ``before``, unless someone else changed it since our
    write (``after``); returns the files left as they are."""
    kept = []
    for path, old in before.items():
        current = _read(path)
        if current == old:
            continue
        if current != after[path]:
            kept.append(path)
        elif old is None:
            path.unlink(missing_ok=True)
        else:
            tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.undo")
            try:
                tmp.write_bytes(old)
                os.chmod(tmp, stat.S_IMODE(path.stat().st_mode))
                os.replace(tmp, path)
            except OSError:
                kept.append(path)
            finally:
                tmp.unlink(missing_ok=True)
    return kept


def edit_from(src: SourceFile, question_id: str,
              bank_paths: Sequence[Path]) -> tuple[Path, bool, list[Problem]]:
    """Replace question ``question_id``, wherever it lives in ``bank_paths``, by the one in
    ``src``: a question file with that one question, or the bare question mapping. Returns the
    file, whether it changed, and the warnings."""
    bank = load_context(bank_paths)
    question = bank.questions.get(question_id)
    if question is None:
        import difflib  # only on the error path

        hint = difflib.get_close_matches(question_id, list(bank.questions), n=1)
        raise ImportFailed(f"no question {quote(question_id)} in the banks"
                           + (f" (did you mean '{hint[0]}'?)" if hint else ""))
    path, stamp = _locate(question_id, question.origin, bank)
    if paths.is_installed(path):
        raise ImportFailed(
            f"{question_id} is a bundled question, read-only in the installed app (its file is "
            f"replaced on upgrade): copy it from {display_path(path)} into a file of your own "
            "with a new id, and add that with `quiz add --from FILE`")
    loc, item = _the_question(src, question.topic)
    if isinstance(item.get("id", question_id), str) and item.get("id", question_id) != question_id:
        raise ImportFailed(f"{src.display}: nothing written", [src.at(
            (*loc, "id"), f"the id of a question never changes: it stays '{question_id}' "
            "(add a new question with `quiz add --from FILE` instead)", _id(item))])
    new = {"id": question_id, **item}
    warnings = _raise_if_errors(check_questions(src, bank, question.topic, [(loc, new)],
                                                target=path, replacing=question_id), src.display)
    before = path.read_bytes()
    try:
        written = writer.edit_question(path, question_id, new, expected=stamp,
                                       with_banks=_existing(bank_paths), bank=bank)
    except writer.DraftError as exc:
        raise ImportFailed(f"{src.display}: nothing written", [
            src.at((*loc, *fp.path), str(fp), question_id) for fp in exc.problems]) from exc
    except writer.BankWriteError as exc:
        raise ImportFailed(str(exc).split("\n", 1)[0], exc.problems) from exc
    return written, written.read_bytes() != before, warnings


def _locate(question_id: str, origin: str, bank: Bank) -> tuple[Path, writer.FileStamp]:
    """The file holding the question (from where it was loaded, else searched) and its stamp."""
    candidates = [Path(origin)] if Path(origin).is_file() else []
    error: Exception | None = None
    for target in [*candidates, *bank.roots]:
        try:
            _, stamp, path = writer.read_question(target, question_id)
            return path, stamp
        except (writer.BankWriteError, OSError) as exc:
            error = exc
    raise ImportFailed(f"{question_id} was not found in its bank's files: {error}")


def _the_question(src: SourceFile, topic: str) -> tuple[Loc, dict[str, Any]]:
    """The one question of ``src`` and its place: a question file's only question (whose topic
    must be the question's own), or the file itself as a bare question mapping."""
    data = src.data
    if isinstance(data, dict) and ("questions" in data or "topic" in data):
        file_topic, questions = question_file(src, one=True)
        problems = []
        if file_topic != topic:
            problems.append(src.at(("topic",), f"the question is in topic '{topic}', and "
                                   "`quiz edit` does not move it: write topic: " + topic))
        if not isinstance(questions[0], dict):
            problems.append(src.at(("questions", 0), "expected the question, a mapping of "
                                   f"keys, found {_kind(questions[0])}"))
        if problems:
            raise ImportFailed(f"{src.display}: nothing written", problems)
        return ("questions", 0), questions[0]
    if not isinstance(data, dict):
        raise ImportFailed(f"{src.display}: nothing written", [src.at(
            (), f"expected the question (a mapping of keys) or a question file with it, found "
            f"{_kind(data)}")])
    return (), data
