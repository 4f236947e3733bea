"""Writing questions into bank files: add one, replace one in place, and never lose a byte.

Each write is checked before anything reaches the disk: the draft against the loaded banks
(``validate_draft``, through their indexes), the new question against the bank's ids, topics
and concepts once more, and the new text against the draft (the changed lines parsed back on
their own, :mod:`quiz.bank.splice`). Only the changed values' lines differ afterwards. Writes
are atomic and locked (:mod:`quiz.bank.atomic`), follow symbolic links, and a file that changed
since the caller read it is not overwritten (:class:`BankConflict`).
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from quiz.bank import atomic, drafts, loader, splice
from quiz.bank.bank import Bank
from quiz.bank.loader import CATALOG_NAME, bank_root, check_bank, display_path
from quiz.bank.problems import Problem
from quiz.safeyaml import SAFE_LOADER

SCHEMA_HEADER = "# yaml-language-server: $schema=questions.schema.json"
NEW_CATALOG = """\
# The catalog of this question bank (created by `quiz add`). Its questions may use the topics,
# sources and concepts of the banks loaded with it, such as the bundled bank; it may also define
# its own here under `sources:`, `topics:` and `concepts:` (see docs/bank-format.md).
concepts: []
"""
_TOPIC_LINE = re.compile(r"^topic:[ \t]*['\"]?([a-z0-9-]+)['\"]?[ \t]*(?:#.*)?$", re.M)
_TOPICS: dict[Path, tuple[int, int, str | None]] = {}  # file -> (mtime_ns, size, its topic)
_LAYOUTS: dict[tuple[str, str], splice.Layout | None] = {}  # (file, sha256) -> its layout


@dataclass(frozen=True)
class FileStamp:
    """What a file was when it was read; a write is refused if the content has changed since."""

    mtime_ns: int
    size: int
    sha256: str

    @classmethod
    def of(cls, path: Path, data: bytes | None = None) -> FileStamp:
        """The stamp of ``path`` now (pass ``data`` if its bytes were just read)."""
        st = path.stat()
        raw = path.read_bytes() if data is None else data
        return cls(st.st_mtime_ns, len(raw), hashlib.sha256(raw).hexdigest())

    def matches(self, data: bytes) -> bool:
        """Whether ``data`` is the content this stamp was taken of (mtime alone can lie)."""
        return len(data) == self.size and hashlib.sha256(data).hexdigest() == self.sha256


class BankWriteError(Exception):
    """A question could not be written; ``path`` is the file or directory, ``problems`` why."""

    def __init__(self, message: str, path: Path, problems: Sequence[Problem] = ()) -> None:
        self.path = path
        self.problems = list(problems)
        details = "".join(f"\n  {p}" for p in self.problems if p.severity == "error")
        super().__init__(message + details)


class BankConflict(BankWriteError):
    """The file changed on disk since it was read: reload it and apply the change again."""


class DraftError(ValueError):
    """The draft is not a valid question; ``problems`` lists every field that is wrong."""

    def __init__(self, problems: list[drafts.FieldProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(f"{'.'.join(map(str, p.path)) or 'question'}: {p}"
                                   for p in problems))


def question_files(bank_dir: Path) -> list[Path]:
    """The question files of a bank, as the loader selects them (no catalog, no scenarios)."""
    return [p for p in loader.bank_files(bank_dir) if p.name != loader.CATALOG_NAME]


def is_installed(path: Path) -> bool:
    """Whether ``path`` belongs to an installed package (under site-packages, or inside the
    installed quiz package, where the wheel puts the bundled bank): an upgrade replaces it, so
    it is not edited in place. The source checkout's own question_bank/ is editable."""
    import quiz

    real = path.resolve()
    if {"site-packages", "dist-packages"} & set(real.parts):
        return True
    return real.is_relative_to(Path(quiz.__file__).resolve().parent)


def my_bank() -> Path:
    """The user's own bank, where copies of installed questions go."""
    from quiz import paths

    user_bank = getattr(paths, "user_bank", None)  # added with the always-there user bank
    if user_bank is not None:
        return Path(user_bank())
    return paths.data_dir() / "bank"


def topic_file(bank_dir: Path, topic: str) -> Path | None:
    """The file new questions of ``topic`` go to: the one whose ``topic:`` is it (``<topic>.yaml``
    first when several are), or None when the bank has none yet."""
    if not bank_dir.is_dir():
        return None
    found = [p for p in question_files(bank_dir) if _file_topic(p) == topic]
    return min(found, key=lambda p: (p.stem != topic, p)) if found else None


def _file_topic(path: Path) -> str | None:
    """The ``topic:`` of a question file, remembered until the file changes (a big bank's files
    are not all read again for each question added)."""
    try:
        st = path.stat()
    except OSError:
        return None
    seen = _TOPICS.get(path)
    if seen is not None and seen[:2] == (st.st_mtime_ns, st.st_size):
        return seen[2]
    m = _TOPIC_LINE.search(path.read_text(encoding="utf-8-sig", errors="replace"))
    _TOPICS[path] = (st.st_mtime_ns, st.st_size, m.group(1) if m else None)
    return _TOPICS[path][2]


def topic_stamp(bank_dir: Path, topic: str) -> FileStamp | None:
    """The stamp ``add_question`` expects: of the topic's file, None when there is none."""
    path = topic_file(bank_dir, topic)
    return FileStamp.of(path) if path is not None else None


def prepare(path: Path) -> None:
    """Read where the questions of file ``path`` are now (a full parse, ~0.3 s for 1,000
    questions), so that a write into it soon after only parses the question it changes."""
    raw = path.read_bytes()
    with contextlib.suppress(BankWriteError, yaml.YAMLError, UnicodeDecodeError):
        _layout(path, raw, _split_bom(raw, path)[1])


def read_question(target: Path, question_id: str) -> tuple[dict[str, Any], FileStamp, Path]:
    """The question as plain data (to fill an edit form), the file's stamp, and the file."""
    path, raw, text, lay, n = _find(target, question_id)
    item = lay.items[n]
    return _item_data(text[item.start:item.end], question_id, path), FileStamp.of(path, raw), path


def add_question(bank_dir: Path, topic: str, question: dict[str, Any], *,
                 expected: FileStamp | None, with_banks: Sequence[Path] = (),
                 bank: Bank | None = None) -> Path:
    """Append ``question`` to the end of ``topic``'s file in ``bank_dir``; returns the file.

    Existing bytes stay as they were. Without a file for the topic, ``<topic>.yaml`` is created;
    without a catalog, a minimal one. ``expected`` is :func:`topic_stamp` as the caller read it
    (None: no file yet); ``with_banks`` are the banks loaded alongside (their topics, concepts
    and ids count); ``bank``, if given, is them loaded (the app's bank: nothing is read again).
    Raises :class:`DraftError`, :class:`BankConflict`, :class:`BankWriteError`.
    """
    root = bank_root(bank_dir) if bank_dir.exists() else bank_dir
    new = drafts.canonical_question(question)
    path = topic_file(root, topic)
    context = _context(root, with_banks, bank)
    _raise_errors(drafts.validate_draft(context, topic, new, path=path))
    writes: list[tuple[Path, bytes | None, bytes]] = []
    if not (root / CATALOG_NAME).is_file():
        writes.append((root / CATALOG_NAME, None, NEW_CATALOG.encode()))
    if path is None:
        path = root / f"{topic}.yaml"
        if path.exists():
            raise BankWriteError(f"{display_path(path)} exists but is not the file of topic "
                                 f"'{topic}': give the topic a file of its own", path)
        if expected is not None:
            raise BankConflict(f"{topic}'s question file has gone since it was read", path)
        _check_written(context, topic, new, path)
        text = f"{_header(root)}\ntopic: {topic}\nquestions:\n{drafts.render_question(new)}"
        _verify(text, {"topic": topic, "questions": [new]}, path)
        writes.append((path, None, text.encode()))
        _commit(writes)
        return path
    raw = path.read_bytes()
    if expected is None or not expected.matches(raw):
        raise BankConflict(f"{display_path(path)} changed on disk since it was read: "
                           "reload it and try again", path)
    bom, text = _split_bom(raw, path)
    lay = _layout(path, raw, text)
    _check_written(context, topic, new, path, file_ids=[i.qid for i in lay.items] if lay else [])
    if lay is None:  # no questions yet: a small file, read in full
        data = _load(text, path)
        try:
            new_text = splice.append_first(text, new)
        except splice.SpliceError as exc:
            raise BankWriteError(f"{display_path(path)}: {exc}, so a question cannot be added "
                                 "to it without rewriting it", path) from exc
        _verify(new_text, {**data, "questions": [new]}, path)
        writes.append((path, raw, bom + new_text.encode()))
        _commit(writes)
        return path
    last = lay.items[-1]
    tail = text[last.start:last.end]
    old_tail = _segment_data(tail, path)
    new_tail = splice.append_item(tail, new, dash=lay.dash, offset=lay.offset, old=old_tail,
                                 at_end=last.end == len(text))
    if new_tail is None:
        raise BankWriteError(f"{display_path(path)}: the question would not read back as "
                             "written after the last one, so nothing was written: end the "
                             "file's last question with a plain line", path)
    new_text = text[:last.start] + new_tail + text[last.end:]
    if lay.aliases:
        data = _load(text, path)
        _verify(new_text, {**data, "questions": [*data["questions"], new]}, path)
    data_bytes = bom + new_text.encode()
    _commit([*writes, (path, raw, data_bytes)])
    starts = splice.item_starts(new_tail)
    grown = lay.shifted(len(lay.items) - 1, starts[-1] - len(tail),
                        splice.Item(str(new["id"]), last.start + starts[-1],
                                    last.start + len(new_tail)))
    _remember(path, data_bytes, grown)
    return path


def edit_question(target: Path, question_id: str, new: dict[str, Any], *,
                  expected: FileStamp, with_banks: Sequence[Path] = (),
                  bank: Bank | None = None) -> Path:
    """Replace question ``question_id`` (in bank dir or file ``target``) by ``new``, in place.

    Only the values that changed are rewritten: every other byte of the file, the question's
    own comments, quoting, folding and wrapping included, stays as it was. The id never
    changes. Raises as :func:`add_question` does.
    """
    path, raw, text, lay, n = _find(target, question_id)
    if is_installed(path):
        raise BankWriteError(f"{display_path(path)} is part of the installed app (an upgrade "
                             "would replace it): copy the question to your own bank instead",
                             path)
    if new.get("id", question_id) != question_id:
        raise DraftError([drafts.FieldProblem(("id",), "the id of a question never changes: it "
                                              f"stays '{question_id}' (add a new one instead)")])
    item = lay.items[n]
    segment = text[item.start:item.end]
    old = _item_data(segment, question_id, path)
    new = drafts.settle_edit({"id": question_id, **new}, old)
    if not expected.matches(raw):
        raise BankConflict(f"{display_path(path)} changed on disk since it was read: "
                           "reload it and make the change again", path)
    if new == old:
        return path  # nothing changed: the file is not even rewritten
    root = bank_root(path)
    context = _context(root, with_banks, bank)
    topic = _file_topic(path) or str(_load(text, path).get("topic"))
    _raise_errors(drafts.validate_draft(context, topic, new, path=path, replacing=question_id))
    _check_written(context, topic, new, path, replacing=question_id,
                   file_ids=[i.qid for i in lay.items])
    new_segment = splice.rewrite_item(segment, old, new, dash=lay.dash, offset=lay.offset)
    if new_segment is None:
        raise BankWriteError(f"{display_path(path)}: {question_id} could not be written so "
                             f"that it reads back as given ({_difference(old, new)} changed), "
                             "so nothing was written: write that value more plainly", path)
    new_text = text[:item.start] + new_segment + text[item.end:]
    if lay.aliases:
        data = _load(text, path)
        data["questions"][n] = new
        _verify(new_text, data, path)
    bom = b"\xef\xbb\xbf" if raw.startswith(b"\xef\xbb\xbf") else b""
    data_bytes = bom + new_text.encode()
    _commit([(path, raw, data_bytes)])
    _remember(path, data_bytes, lay.shifted(n, len(new_segment) - len(segment)))
    return path


def _difference(old: dict[str, Any], new: dict[str, Any]) -> str:
    keys = [k for k in dict.fromkeys([*old, *new]) if old.get(k) != new.get(k)]
    return ", ".join(keys[:3]) or "nothing"


def _raise_errors(problems: list[drafts.FieldProblem]) -> None:
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise DraftError(errors)


def _context(root: Path, with_banks: Sequence[Path], bank: Bank | None) -> Bank:
    """The banks the draft is checked against: ``bank`` if it holds ``root`` (or ``root`` has no
    questions yet), else ``with_banks`` plus ``root`` if it is a bank, loaded now."""
    has_catalog = (root / CATALOG_NAME).is_file()
    if bank is not None and (not has_catalog or root.resolve() in
                             {Path(r).resolve() for r in bank.roots}):
        return bank
    roots = [*with_banks, *([root] if has_catalog else [])]
    unique = list({Path(r).resolve(): Path(r) for r in roots}.values())
    if not unique:
        return Bank(())
    loaded, problems = check_bank(unique, similar=False)
    if loaded is None:
        raise BankWriteError(f"{display_path(root)}: the banks have errors already; fix them "
                             "first (quiz validate)", root, problems)
    return loaded


def _check_written(bank: Bank, topic: str, question: dict[str, Any], path: Path, *,
                   replacing: str | None = None, file_ids: Sequence[str | None] = ()) -> None:
    """The checks the written file must pass, on its one new question, the bank's indexes and
    ``file_ids`` (the ids the file holds now, in case the bank was loaded before a change to
    it): a second line of defence behind ``validate_draft``, so the whole bank need not be
    checked again."""
    from pydantic import ValidationError

    from quiz.bank.models import Question

    problems = []
    try:
        model = Question.model_validate(question)
    except ValidationError as exc:
        problems.append(f"{exc.error_count()} error(s) in the question's fields")
        model = None
    if topic not in bank.topics:
        problems.append(f"unknown topic '{topic}'")
    if model is not None:
        problems += [f"unknown concept '{c}'" for c in model.concepts if c not in bank.concepts]
        if model.id != replacing and (model.id in bank.questions or model.id in file_ids):
            problems.append(f"duplicate question id '{model.id}'")
    if problems:
        found = [Problem(display_path(path), 0, 0, p, str(question.get("id"))) for p in problems]
        raise BankWriteError(f"{display_path(path)}: the write would make the bank invalid, "
                             "so nothing was written", path, found)


def _find(target: Path, question_id: str) -> tuple[Path, bytes, str, splice.Layout, int]:
    """The file holding ``question_id``, its bytes, text, layout and the question's index."""
    files = [target] if target.is_file() else question_files(target)
    pattern = re.compile(rf"\bid:[ \t]*['\"]?{re.escape(question_id)}\b")
    for path in files:
        raw = path.read_bytes()
        _, text = _split_bom(raw, path)
        if not pattern.search(text):
            continue
        lay = _layout(path, raw, text)
        n = lay.find(question_id) if lay is not None else None
        if lay is not None and n is not None:
            return path, raw, text, lay, n
    raise BankWriteError(f"no question '{question_id}' in {display_path(target)}", target)


def _layout(path: Path, raw: bytes, text: str) -> splice.Layout | None:
    """Where the questions of ``path`` (holding ``raw``) are: remembered per content."""
    key = (str(path.resolve()), hashlib.sha256(raw).hexdigest())
    if key not in _LAYOUTS:
        try:
            found = splice.layout(text)
        except yaml.YAMLError as exc:
            raise BankWriteError(f"{display_path(path)} is not valid YAML: fix it first "
                                 "(quiz validate)", path) from exc
        _LAYOUTS[key] = found
        while len(_LAYOUTS) > 16:
            del _LAYOUTS[next(iter(_LAYOUTS))]
    return _LAYOUTS[key]


def _remember(path: Path, raw: bytes, lay: splice.Layout) -> None:
    _LAYOUTS[(str(path.resolve()), hashlib.sha256(raw).hexdigest())] = lay


def _segment_data(segment: str, path: Path) -> list[Any]:
    try:
        data = yaml.load(segment, Loader=SAFE_LOADER)  # noqa: S506 - a safe loader
    except yaml.YAMLError:
        data = None
    if not isinstance(data, list):
        raise BankWriteError(f"{display_path(path)}: a question's lines do not read on their "
                             "own (anchors, tags or a multi-line quoted value that goes left "
                             "of its question's dash?): simplify it and save again", path)
    return data


def _item_data(segment: str, question_id: str, path: Path) -> dict[str, Any]:
    data = _segment_data(segment, path)
    if len(data) != 1 or not isinstance(data[0], dict) or data[0].get("id") != question_id:
        raise BankWriteError(f"{display_path(path)}: {question_id}'s lines do not read on "
                             "their own: simplify its layout and save again", path)
    return copy.deepcopy(data[0])


def _split_bom(raw: bytes, path: Path) -> tuple[bytes, str]:
    bom = b"\xef\xbb\xbf" if raw.startswith(b"\xef\xbb\xbf") else b""
    try:
        return bom, raw[len(bom):].decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BankWriteError(f"{display_path(path)} is not UTF-8 text: fix it first (quiz "
                             "validate)", path) from exc


def _load(text: str, path: Path) -> dict[str, Any]:
    data = yaml.load(text, Loader=SAFE_LOADER)  # noqa: S506 - a safe loader
    if not isinstance(data, dict):
        raise BankWriteError(f"{display_path(path)} is not a question file", path)
    return data


def _header(root: Path) -> str:
    """A sibling's schema line (its relative path is right for this bank), else the default."""
    firsts = (p.read_text(encoding="utf-8-sig", errors="replace").partition("\n")[0].rstrip()
              for p in question_files(root))
    return next((f for f in firsts if f.startswith("# yaml-language-server:")), SCHEMA_HEADER)


def _verify(text: str, expected: dict[str, Any], path: Path) -> None:
    """Refuse to write text that does not load back as exactly the intended data."""
    try:
        same = yaml.load(text, Loader=SAFE_LOADER) == expected  # noqa: S506 - a safe loader
    except yaml.YAMLError:
        same = False
    if not same:
        raise BankWriteError(f"{display_path(path)}: the new text would not load back as the "
                             "question given, so nothing was written", path)


def _commit(writes: list[tuple[Path, bytes | None, bytes]]) -> None:
    """Write every file atomically under its lock; on any error put the old bytes back."""
    done: list[tuple[Path, bytes | None, bytes]] = []
    try:
        for path, old, new in writes:
            _write(path, new, old)
            done.append((path, old, new))
    except BaseException:
        for path, old, new in reversed(done):
            if old is None:
                atomic.real_path(path).unlink(missing_ok=True)
            else:
                _write(path, old, new)
        raise


def _write(path: Path, data: bytes, previous: bytes | None) -> None:
    """Replace ``path`` (through a symlink) by ``data`` if it still holds ``previous``."""
    real = atomic.real_path(path)
    shown = display_path(path)
    try:
        with atomic.locked(real, shown):
            atomic.replace_file(real, data, previous, shown)
    except atomic.WriteRefused as exc:
        kind = BankConflict if exc.conflict else BankWriteError
        raise kind(str(exc), exc.path if exc.path != real else path) from None
