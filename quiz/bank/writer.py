"""Writing questions into bank files: add one, replace one in place, and never lose a byte.

Each write is checked three times: the draft against the loaded banks (``validate_draft``), the
new file text against the draft (parsed back before anything is written), and the bank on disk
afterwards (``check_bank``; the old bytes are put back if it fails). Writes are atomic, and a
file that changed since the caller read it is not overwritten (:class:`BankConflict`).
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import os
import re
import secrets
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from quiz.bank import drafts, loader
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


def topic_file(bank_dir: Path, topic: str) -> Path | None:
    """The file new questions of ``topic`` go to: the one whose ``topic:`` is it (``<topic>.yaml``
    first when several are), or None when the bank has none yet."""
    if not bank_dir.is_dir():
        return None
    found = [p for p in question_files(bank_dir)
             if (m := _TOPIC_LINE.search(p.read_text(encoding="utf-8-sig", errors="replace")))
             and m.group(1) == topic]
    return min(found, key=lambda p: (p.stem != topic, p)) if found else None


def topic_stamp(bank_dir: Path, topic: str) -> FileStamp | None:
    """The stamp ``add_question`` expects: of the topic's file, None when there is none."""
    path = topic_file(bank_dir, topic)
    return FileStamp.of(path) if path is not None else None


def read_question(target: Path, question_id: str) -> tuple[dict[str, Any], FileStamp, Path]:
    """The question as plain data (to fill an edit form), the file's stamp, and the file."""
    path, index, raw, data = _find(target, question_id)
    return copy.deepcopy(data["questions"][index]), FileStamp.of(path, raw), path


def add_question(bank_dir: Path, topic: str, question: dict[str, Any], *,
                 expected: FileStamp | None, with_banks: Sequence[Path] = ()) -> Path:
    """Append ``question`` to the end of ``topic``'s file in ``bank_dir``; returns the file.

    Existing bytes stay as they were. Without a file for the topic, ``<topic>.yaml`` is created;
    without a catalog, a minimal one. ``expected`` is :func:`topic_stamp` as the caller read it
    (None: no file yet); ``with_banks`` are the banks loaded alongside (their topics, concepts
    and ids count). Raises :class:`DraftError`, :class:`BankConflict`, :class:`BankWriteError`.
    """
    root = bank_root(bank_dir) if bank_dir.exists() else bank_dir
    new = drafts.canonical_question(question)
    path = topic_file(root, topic)
    bank = _context(root, with_banks)
    _raise_errors(drafts.validate_draft(bank, topic, new, path=path))
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
        text = f"{_header(root)}\ntopic: {topic}\nquestions:\n{drafts.render_question(new)}"
        _verify(text, {"topic": topic, "questions": [new]}, path)
        writes.append((path, None, text.encode()))
    else:
        raw = path.read_bytes()
        if expected is None or not expected.matches(raw):
            raise BankConflict(f"{display_path(path)} changed on disk since it was read: "
                               "reload it and try again", path)
        bom, text, data = _decode(raw, path)
        after = copy.deepcopy(data)
        after["questions"] = [*(data.get("questions") or []), new]
        new_text = _append(text, new, path)
        _verify(new_text, after, path)
        writes.append((path, raw, bom + new_text.encode()))
    _commit(writes, [*with_banks, root])
    return path


def edit_question(target: Path, question_id: str, new: dict[str, Any], *,
                  expected: FileStamp, with_banks: Sequence[Path] = ()) -> Path:
    """Replace question ``question_id`` (in bank dir or file ``target``) by ``new``, in place.

    Only the question's own lines change; its comments survive where its keys do (ruamel.yaml
    round-trip). The id never changes. Raises as :func:`add_question` does.
    """
    path, index, raw, data = _find(target, question_id)
    if new.get("id", question_id) != question_id:
        raise DraftError([drafts.FieldProblem(("id",), "the id of a question never changes: it "
                                              f"stays '{question_id}' (add a new one instead)")])
    new = drafts.settle_edit({"id": question_id, **new}, data["questions"][index])
    if not expected.matches(raw):
        raise BankConflict(f"{display_path(path)} changed on disk since it was read: "
                           "reload it and make the change again", path)
    if new == data["questions"][index]:
        return path  # nothing changed: the file is not even rewritten
    root = bank_root(path)
    bank = _context(root, with_banks)
    _raise_errors(drafts.validate_draft(bank, str(data.get("topic")), new, path=path,
                                        replacing=question_id))
    bom, text, _ = _decode(raw, path)
    after = copy.deepcopy(data)
    after["questions"][index] = new
    new_text = _replace(text, index, new, data["questions"][index])
    _verify(new_text, after, path)
    _commit([(path, raw, bom + new_text.encode())], [*with_banks, root])
    return path


def _raise_errors(problems: list[drafts.FieldProblem]) -> None:
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise DraftError(errors)


def _context(root: Path, with_banks: Sequence[Path]) -> Bank:
    """The banks the draft is checked against: ``with_banks`` plus ``root`` if it is one yet."""
    roots = [*with_banks, *([root] if (root / CATALOG_NAME).is_file() else [])]
    unique = list({Path(r).resolve(): Path(r) for r in roots}.values())
    if not unique:
        return Bank(())
    bank, problems = check_bank(unique, similar=False)
    if bank is None:
        raise BankWriteError(f"{display_path(root)}: the banks have errors already; fix them "
                             "first (quiz validate)", root, problems)
    return bank


def _find(target: Path, question_id: str) -> tuple[Path, int, bytes, dict[str, Any]]:
    files = [target] if target.is_file() else question_files(target)
    pattern = re.compile(rf"\bid:[ \t]*['\"]?{re.escape(question_id)}\b")
    for path in files:
        raw = path.read_bytes()
        if not pattern.search(raw.decode("utf-8-sig", errors="replace")):
            continue
        _, _, data = _decode(raw, path)
        for index, item in enumerate(data.get("questions") or []):
            if isinstance(item, dict) and item.get("id") == question_id:
                return path, index, raw, data
    raise BankWriteError(f"no question '{question_id}' in {display_path(target)}", target)


def _decode(raw: bytes, path: Path) -> tuple[bytes, str, dict[str, Any]]:
    """The BOM (kept as it was), the text and the parsed data of a question file."""
    bom = b"\xef\xbb\xbf" if raw.startswith(b"\xef\xbb\xbf") else b""
    text = raw[len(bom):].decode("utf-8")
    data = yaml.load(text, Loader=SAFE_LOADER)  # noqa: S506 - a safe loader
    if not isinstance(data, dict):
        raise BankWriteError(f"{display_path(path)} is not a question file", path)
    return bom, text, data


def _header(root: Path) -> str:
    """A sibling's schema line (its relative path is right for this bank), else the default."""
    firsts = (p.read_text(encoding="utf-8-sig", errors="replace").partition("\n")[0].rstrip()
              for p in question_files(root))
    return next((f for f in firsts if f.startswith("# yaml-language-server:")), SCHEMA_HEADER)


def _append(text: str, new: dict[str, Any], path: Path) -> str:
    """``text`` with ``new`` added at the end of its ``questions:`` list, all else untouched."""
    nl = "\r\n" if "\r\n" in text else "\n"
    root = yaml.compose(text, Loader=SAFE_LOADER)
    pair = next(((k, v) for k, v in root.value if k.value == "questions"), None)
    if pair is None:
        base = text if text.endswith("\n") or not text else text + nl
        return base + f"questions:{nl}" + drafts.render_question(new).replace("\n", nl)
    key, seq = pair
    if isinstance(seq, yaml.SequenceNode) and seq.value and not seq.flow_style:
        dash = seq.start_mark.column
        item = drafts.render_question(new, indent=dash, offset=max(dash - key.start_mark.column, 0))
        item = nl + item.replace("\n", nl)  # a blank line between questions: the house style
        end = _content_end(text, seq.value[-1])
        if re.fullmatch(r"(\s*#[^\n]*\n?|\s*\n)*\s*", text[end:]):  # only comments follow
            base = text if text.endswith("\n") else text + nl
            return base + item[len(nl):] if base.endswith(nl + nl) else base + item
        return text[:end] + item + text[end:]
    empty = (isinstance(seq, yaml.SequenceNode) and not seq.value) or seq.tag.endswith(":null")
    if not empty:
        raise BankWriteError(f"{display_path(path)}: 'questions' is not a block list (- id: ...), "
                             "so a question cannot be added to it without rewriting it", path)
    start, end = seq.start_mark.index, seq.end_mark.index
    if start == end:  # `questions:` and nothing: the empty value's mark may be anywhere after
        start = end = text.index(":", key.end_mark.index) + 1
    eol = text.find("\n", end)
    after = len(text) if eol < 0 else eol + 1
    head = text[:start].rstrip(" \t") + text[end:after]
    head += "" if head.endswith("\n") else nl
    item = drafts.render_question(new, indent=key.start_mark.column + 2).replace("\n", nl)
    return head + item + text[after:]


def _leaves(node: yaml.Node) -> Iterator[yaml.Node]:
    if isinstance(node, yaml.ScalarNode) or node.flow_style:
        yield node
    else:
        for child in node.value:  # key-value pairs of a mapping, items of a list
            for part in child if isinstance(child, tuple) else (child,):
                yield from _leaves(part)


def _content_end(text: str, node: yaml.Node) -> int:
    """Index just past the last line of ``node``'s own content (and that line's comment); the
    blank and comment lines after it, which a block scalar's end mark includes, are not its."""
    end = max(leaf.end_mark.index for leaf in _leaves(node))
    pos = len(text[:end].rstrip(" \t\r\n"))
    eol = text.find("\n", pos)
    return len(text) if eol < 0 else eol + 1


def _replace(text: str, index: int, new: dict[str, Any], old: dict[str, Any]) -> str:
    """``text`` with question ``index`` rewritten as ``new``; every other byte as it was."""
    key, questions = next((k, v) for k, v in yaml.compose(text, Loader=SAFE_LOADER).value
                          if k.value == "questions")
    node = questions.value[index]
    segment = drafts.merge_question(text, index, old, new,
                             offset=max(questions.start_mark.column - key.start_mark.column, 0))
    seg_node = yaml.compose(segment, Loader=SAFE_LOADER).value[0]
    segment = _keep(segment, seg_node, text, node, old, new)
    segment = segment[segment.rfind("\n", 0, seg_node.start_mark.index) + 1:
                      _content_end(segment, seg_node)]
    nl = "\r\n" if "\r\n" in text else "\n"
    start = text.rfind("\n", 0, node.start_mark.index) + 1
    return text[:start] + segment.replace("\n", nl) + text[_content_end(text, node):]


def _keep(segment: str, seg: yaml.Node, text: str, orig: yaml.Node, before: Any,
          after: Any) -> str:
    """``segment`` with the parts whose value did not change as the file had them, byte for
    byte (ruamel re-indents nested lists and writes ``[{a: 1}]`` as ``[a: 1]``)."""
    if getattr(seg, "flow_style", 0) or getattr(orig, "flow_style", 0):  # one line: as ruamel
        return segment
    if isinstance(seg, yaml.MappingNode) and isinstance(orig, yaml.MappingNode) and isinstance(
            before, dict) and isinstance(after, dict):
        old = {k.value: (k, v) for k, v in orig.value}
        parts = [(k, v, *old[k.value], before[k.value], after[k.value]) for k, v in seg.value
                 if k.value in old and k.value in before and k.value in after]
    elif isinstance(seg, yaml.SequenceNode) and isinstance(orig, yaml.SequenceNode) and isinstance(
            before, list) and isinstance(after, list):  # items past the shorter list are new
        parts = [(s, s, o, o, b, a) for s, o, b, a in zip(seg.value, orig.value, before, after,
                                                          strict=False)]
    else:
        return segment
    for seg_key, seg_value, key, value, was, now in reversed(parts):  # later text first
        if was != now:
            segment = _keep(segment, seg_value, text, value, was, now)
        elif seg_key.start_mark.column == key.start_mark.column:
            segment = (segment[:seg_key.start_mark.index] + text[key.start_mark.index:
                       _content_end(text, value)] + segment[_content_end(segment, seg_value):])
    return segment


def _verify(text: str, expected: dict[str, Any], path: Path) -> None:
    """Refuse to write text that does not load back as exactly the intended data."""
    try:
        same = yaml.load(text, Loader=SAFE_LOADER) == expected  # noqa: S506 - a safe loader
    except yaml.YAMLError:
        same = False
    if not same:
        raise BankWriteError(f"{display_path(path)}: the new text would not load back as the "
                             "question given, so nothing was written", path)


def _commit(writes: list[tuple[Path, bytes | None, bytes]], roots: list[Path]) -> None:
    """Write every file atomically, then check the banks; on any error put the old bytes back."""
    done: list[tuple[Path, bytes | None, bytes]] = []
    try:
        for path, old, new in writes:
            _write_atomic(path, new, old)
            done.append((path, old, new))
        bank, problems = check_bank(list({r.resolve(): r for r in roots}.values()),
                                    similar=False)
        if bank is None:
            raise BankWriteError(f"{display_path(writes[-1][0])}: the write would make the bank "
                                 "invalid, so it was undone", writes[-1][0], problems)
    except BaseException:
        for path, old, new in reversed(done):
            if old is None:
                path.unlink(missing_ok=True)
            else:
                _write_atomic(path, old, new)
        raise


def _write_atomic(path: Path, data: bytes, previous: bytes | None) -> None:
    """Replace ``path`` by ``data`` if it still holds ``previous`` (None: must not exist)."""
    directory = path.parent
    tmp = directory / f".{path.name}.{secrets.token_hex(4)}.tmp"
    try:
        directory.mkdir(parents=True, exist_ok=True)
        if path.exists() and not os.access(path, os.W_OK):
            # os.replace would go through (the directory decides): honour the file's mode.
            raise BankWriteError(f"{display_path(path)} is read-only: make it writable or add "
                                 "the question to a bank of your own (quiz add --bank DIR)", path)
        if not os.access(directory, os.W_OK | os.X_OK):
            raise BankWriteError(f"cannot write in {display_path(directory)}: the directory is "
                                 "read-only", directory)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # umask applies
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            current = path.read_bytes() if path.exists() else None
            if current != previous:
                raise BankConflict(f"{display_path(path)} changed on disk while it was being "
                                   "written: reload it and try again", path)
            if previous is not None:
                os.chmod(tmp, stat.S_IMODE(path.stat().st_mode))
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
    except OSError as exc:
        raise BankWriteError(f"cannot write {display_path(path)}: {exc.strerror}", path) from exc
    with contextlib.suppress(OSError):  # so the rename itself survives a crash
        dir_fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
