"""Question drafts, as an add or edit form builds them: canonical form, YAML text, ids, checks.

Nothing here reads or writes bank files (that is :mod:`quiz.bank.writer`). The checks are the
loader's own: pydantic errors go through the loader's message code and the cross-file checks
through ``cross_check``, so a draft passes here exactly when ``quiz validate`` would accept it.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from quiz.bank import loader
from quiz.bank.bank import Bank
from quiz.bank.checks import cross_check
from quiz.bank.models import Catalog, Question, QuestionFile
from quiz.bank.parsed import LoadState, ParsedFile
from quiz.bank.positions import Locator
from quiz.bank.problems import FieldProblem as FieldProblem  # also imported from here
from quiz.safeyaml import SAFE_LOADER

QUESTION_KEYS = ("id", "concepts", "difficulty", "tags", "question", "choices", "shuffle",
                 "explanation", "scenario", "broken_manifest")
CHOICE_KEYS = ("text", "correct", "why", "claims")
CLAIM_KEYS = ("from", "to", "port", "protocol", "allowed")
MAX_ID = 50
WIDTH = 100  # flow collections ({...}, [...]) longer than this are written as blocks
_DEFAULTS: dict[tuple[str, ...], dict[str, Any]] = {
    QUESTION_KEYS: {"shuffle": True, "broken_manifest": False},
    CHOICE_KEYS: {"correct": False},
    CLAIM_KEYS: {"protocol": "TCP"},
}
_OPTIONAL = {"difficulty", "tags", "why", "claims", "scenario"}  # empty means "not given"
_PROSE = {"question", "explanation", "why"}  # Markdown paragraphs, written as `|` blocks
_DRAFT = "\0draft"
# not printable in YAML, or a line break to YAML 1.1: escaped in double-quoted strings
_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]")
_FENCE = re.compile(r"^```.*?^```", re.M | re.S)
_STOP = frozenset(  # words that say nothing about what a question is about
    "a an the what which who whom whose when where why how is are was were be been do does did "
    "of to in on at by for from with into about as and or but not no if then than this that "
    "these those it its they them their there here you your we our can could should would will "
    "may might must has have had following statement statements true false correct select all "
    "apply best most describes describe happens".split())


def canonical_question(draft: dict[str, Any]) -> dict[str, Any]:
    """The draft as it will be stored: keys in bank order, defaults and empty optional fields
    dropped, prose (question, explanation, why) trimmed and ending in one newline."""
    return _canonical(draft, QUESTION_KEYS)


def _canonical(data: dict[str, Any], order: tuple[str, ...]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in [*(k for k in order if k in data), *(k for k in data if k not in order)]:
        value = data[key]
        if isinstance(value, str):
            value = _prose(value) if key in _PROSE else value.strip()
        if value is None or (key in _OPTIONAL and value in ("", [])):
            continue
        default = _DEFAULTS[order].get(key, _DRAFT)
        if value is default or (isinstance(default, str) and value == default):
            continue
        if key in ("choices", "claims") and isinstance(value, list):
            inner = CHOICE_KEYS if key == "choices" else CLAIM_KEYS
            value = [_canonical(c, inner) if isinstance(c, dict) else c for c in value]
        out[key] = value
    return out


def settle_edit(new: dict[str, Any], old: dict[str, Any]) -> dict[str, Any]:
    """An edited question as it will be stored: :func:`canonical_question` of ``new``, except that
    values meaning the same as in ``old`` (the question as read) keep their old form, so an edit
    leaves alone what it did not change (an explicit ``correct: false``, a folded ``>`` text)."""
    return _settle(canonical_question(new), old, QUESTION_KEYS)


def _settle(new: dict[str, Any], old: dict[str, Any], order: tuple[str, ...]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in new.items():
        before = old.get(key)
        if key in old and _canonical({key: value}, order) == _canonical({key: before}, order):
            out[key] = before
        elif key == "choices" and isinstance(value, list) and isinstance(before, list):
            out[key] = [_settle(c, before[k], CHOICE_KEYS)
                        if k < len(before) and isinstance(c, dict) and isinstance(before[k], dict)
                        else c for k, c in enumerate(value)]
        else:
            out[key] = value
    for key, before in old.items():  # defaults written out, empty optional keys
        if key not in out and not _canonical({key: before}, order):
            out[key] = before
    return out


def _prose(text: str) -> str:
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    body = "\n".join(lines).strip("\n")
    return body + "\n" if body else ""


def propose_id(stem: str, topic: str, taken: set[str], *, bank: Bank | None = None) -> str:
    """A new question id from the stem's significant words, e.g. ``np-default-deny-egress``.

    The prefix is the one most of the topic's questions in ``bank`` use, else the topic id's
    initials (its first three letters for a one-word topic). Unique in ``taken`` (``-2``, ...).
    """
    from quiz.bank.similar import normalise  # rapidfuzz: only when a form asks for an id

    prefix = _topic_prefix(topic, [q.id for q in bank.in_topic(topic)] if bank else [])
    words = [w for w in dict.fromkeys(normalise(_FENCE.sub(" ", stem)).split())
             if w not in _STOP] or ["question"]
    base = prefix
    for word in words:
        if len(base) + 1 + len(word) > MAX_ID:
            break
        base = f"{base}-{word}"
    if base == prefix:
        base = f"{prefix}-{words[0][: MAX_ID - len(prefix) - 1]}"
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = base[: MAX_ID - len(f"-{n}")].rstrip("-") + f"-{n}"
    return candidate


def _topic_prefix(topic: str, ids: list[str]) -> str:
    for prefix, count in Counter(i.split("-", 1)[0] for i in ids if "-" in i).most_common(1):
        if count * 2 >= len(ids):
            return prefix
    parts = [p for p in topic.split("-") if p]
    return "".join(p[0] for p in parts) if len(parts) > 1 else (parts or ["q"])[0][:3]


def validate_draft(bank: Bank, topic: str, draft: dict[str, Any], *, path: Path | None = None,
                   replacing: str | None = None) -> list[FieldProblem]:
    """Every problem ``quiz validate`` would report about ``draft`` filed under ``topic``.

    Errors: the model's rules, unknown topic or concepts, an id in ``bank`` (other than
    ``replacing``, the one being edited), scenario answer keys. Warnings: a stem much like
    another's, wrong choices without a ``why``. ``path``: the file it goes to (for scenarios).
    """
    if not isinstance(draft, dict):
        return [FieldProblem((), "expected a mapping of keys")]
    data = canonical_question(draft)
    where = path or _default_path(bank, topic)
    f = ParsedFile(where, str(where), {"topic": topic, "questions": [data]}, Locator(""))
    state = _Capture(f)
    question = _model(f, data, state)
    others = _neighbours(bank, question, replacing) if question is not None else []
    catalog = Catalog.model_construct(**{group: list(getattr(bank, group).values())
                                         for group in ("sources", "topics", "concepts")})
    state.catalogs.append((ParsedFile(Path("<bank>"), "<bank>", None, Locator("")), catalog))
    state.topic_refs.append((f, topic))
    state.questions = [*others, *([(f, 0, question)] if question is not None else [])]
    cross_check(bank.roots, state, similar=True)
    # A scenario's manifest errors come with a line of their own, not through state.error.
    state.found += [FieldProblem(("scenario",), p.message) for p in state.problems
                    if p.path == f.display]
    return list(dict.fromkeys(state.found))


class _Capture(LoadState):
    """Collects the draft's problems with their key paths instead of file positions."""

    def __init__(self, draft: ParsedFile) -> None:
        super().__init__()
        self.draft = draft
        self.found: list[FieldProblem] = []

    def error(self, f: ParsedFile, loc: Iterable[str | int], message: str,
              qid: str | None = None, *, key: bool = False, warning: bool = False) -> None:
        if f is not self.draft:
            return
        loc = tuple(loc)  # the whole question: a duplicate id (missing keys are re-pointed)
        path = (loc[2:] or ("id",)) if loc[:2] == ("questions", 0) else loc
        self.found.append(FieldProblem(path, message, "warning" if warning else "error"))


def _model(f: ParsedFile, data: dict[str, Any], state: _Capture) -> Question | None:
    try:
        question = Question.model_validate(data)
    except ValidationError as exc:
        reported: set[tuple[Any, ...]] = set()
        for err in exc.errors():
            err["loc"] = ("questions", 0, *err["loc"])
            before = len(state.found)
            loader.report_validation_error(f, err, state, QuestionFile, reported)
            if err["type"] == "missing" and len(state.found) > before:
                # The loader points at the mapping that lacks the key; a form wants the field.
                state.found[-1] = FieldProblem(tuple(err["loc"][2:]), state.found[-1].message)
        question = _lenient(data)
    if question is not None:
        question._topic, question._origin = str(f.data["topic"]), f.display
    return question


def _lenient(data: dict[str, Any]) -> Question | None:
    """What the cross-file checks need of an invalid draft: its id, concepts and stem."""
    qid, concepts, stem = data.get("id"), data.get("concepts"), data.get("question")
    if not (isinstance(qid, str) and isinstance(concepts, list)
            and all(isinstance(c, str) for c in concepts)):
        return None
    return Question.model_construct(id=qid, concepts=concepts, choices=[], scenario=None,
                                    question=stem if isinstance(stem, str) else "")


def _default_path(bank: Bank, topic: str) -> Path:
    old = bank.in_topic(topic)
    return Path(old[0].origin) if old else Path(*bank.roots[-1:]) / f"{topic}.yaml"


def _neighbours(bank: Bank, question: Question,
                replacing: str | None) -> list[tuple[ParsedFile, int, Question]]:
    """The bank questions the draft's checks need: one with its id, ones with a similar stem
    (found through the bank's index, not by going over every question again)."""
    from quiz.bank.draft_index import draft_index  # rapidfuzz: only when checking a draft

    index = draft_index(bank)
    wanted = {question.id} if question.id != replacing else set()
    wanted |= {qid for qid, _ in index.similar(question.question, skip=replacing)}
    out = []
    for qid in sorted((q for q in wanted if q in index.place), key=index.rank.__getitem__):
        origin, position = index.place[qid]
        out.append((ParsedFile(Path(origin), origin), position, bank.questions[qid]))
    return out


def render_field(key: str, value: Any, *, col: int, offset: int = 2) -> list[str]:
    """``key: value`` as lines in the house style, the key at column ``col``."""
    return _value(" " * col + f"{_inline(key, flow=False)}:", value, col + 2, offset,
                  prose=key in _PROSE)


def render_flow(value: Any) -> str | None:
    """``value`` on one line (``[a, b]``, ``{k: v}``), or None if it will not fit on one."""
    flow = _flow(value)
    return flow if flow is not None and len(flow) <= WIDTH else None


def render_item(item: dict[str, Any], *, dash: int, offset: int = 2) -> list[str]:
    """A mapping as a list item's lines in the house style, its dash at column ``dash``."""
    return _mapping(item, dash + 2, offset, first=" " * dash + "- ")


def render_question(question: dict[str, Any], *, indent: int = 2, offset: int = 2) -> str:
    """The question as a YAML list item in the bank's house style, its dash at ``indent``.

    Block scalars (``|``) for prose, flow lists for concepts and tags, flow mappings for claims;
    nested lists' dashes ``offset`` columns right of their key. Every string is written so that
    the loader reads back exactly that string.
    """
    return "\n".join(render_item(question, dash=indent, offset=offset)) + "\n"


def _mapping(data: dict[str, Any], col: int, offset: int, first: str | None = None) -> list[str]:
    out: list[str] = []
    for n, (key, value) in enumerate(data.items()):
        lead = first if n == 0 and first is not None else " " * col
        out += _value(f"{lead}{_inline(key, flow=False)}:", value, col + 2, offset,
                      prose=key in _PROSE)
    return out


def _value(head: str, value: Any, col: int, offset: int, *, prose: bool = False) -> list[str]:
    """``head`` (``key:`` or ``-``) followed by ``value``; nested lines start at ``col``."""
    if isinstance(value, dict | list) and value:
        # lists of mappings (choices, claims, a scenario's objects) are block lists
        block = isinstance(value, list) and any(isinstance(v, dict) for v in value)
        flow = None if block else _flow(value)
        if flow is not None and len(head) + 1 + len(flow) <= WIDTH:
            return [f"{head} {flow}"]
        if isinstance(value, dict):
            return [head, *_mapping(value, col, offset)]
        out = [head]
        dash = col - 2 + (offset if head.endswith(":") else 2)
        for item in value:
            flow = None if head.endswith("choices:") else _flow(item)
            if isinstance(item, dict) and item and (flow is None or dash + 2 + len(flow) > WIDTH):
                out += _mapping(item, dash + 2, offset, first=" " * dash + "- ")
            else:
                out += _value(" " * dash + "-", item, dash + 2, offset)
        return out
    if isinstance(value, dict | list):
        return [f"{head} {'{}' if isinstance(value, dict) else '[]'}"]
    if isinstance(value, str) and ("\n" in value or prose):
        block_lines = _literal(value, col)
        if block_lines is not None:
            return [f"{head} {block_lines[0]}", *block_lines[1:]]
    return [f"{head} {_inline(value, flow=False)}"]


def _flow(value: Any) -> str | None:
    """``value`` on one line (``[a, b]``, ``{k: v}``), or None if it holds a multi-line string."""
    if isinstance(value, dict):
        items = [(_flow(k), _flow(v)) for k, v in value.items()]
        if any(k is None or v is None for k, v in items):
            return None
        return "{" + ", ".join(f"{k}: {v}" for k, v in items) + "}"
    if isinstance(value, list):
        parts = [_flow(v) for v in value]
        return None if None in parts else "[" + ", ".join(map(str, parts)) + "]"
    if isinstance(value, str) and "\n" in value:
        return None
    return _inline(value, flow=True)


def _inline(value: Any, *, flow: bool) -> str:
    """A scalar on one line: plain when the loader reads it back unchanged, else double-quoted."""
    if value is None or isinstance(value, bool | int | float):
        return json.dumps(value)  # true, null, 8080: the same in YAML
    text = str(value)
    plain = (text and text == text.strip() and ": " not in text and " #" not in text
             and not text.endswith(":") and text[0] not in "-?:,[]{}#&*!|>'\"%@`"
             and not (flow and any(c in text for c in ",[]{}")) and not _UNSAFE.search(text))
    if plain and _reads_back(f"k: [{text}]" if flow else f"k: {text}", [text] if flow else text):
        return text
    return _quoted(text)


def _quoted(text: str) -> str:
    readable = json.dumps(text, ensure_ascii=False)  # JSON strings are YAML double-quoted ones
    return _UNSAFE.sub(lambda m: f"\\u{ord(m[0]):04x}", readable)


def _literal(text: str, col: int) -> list[str] | None:
    """``text`` as a ``|`` block scalar (header, then lines at ``col``), if one can hold it."""
    chomp = {0: "-", 1: ""}.get(len(text) - len(text.rstrip("\n")), "+")
    body = text[:-1] if text.endswith("\n") else text
    indicator = "2" if body.lstrip("\n").startswith(" ") else ""
    lines = [f"|{indicator}{chomp}", *(" " * col + line if line else "" for line in
                                       body.split("\n"))]
    snippet = "k: " + lines[0] + "\n" + "\n".join(line[col - 2:] for line in lines[1:]) + "\n"
    return lines if text.strip() and _reads_back(snippet, text) else None


def _reads_back(snippet: str, value: Any) -> bool:
    try:
        return yaml.load(snippet, Loader=SAFE_LOADER) == {"k": value}  # noqa: S506 - safe
    except yaml.YAMLError:
        return False
