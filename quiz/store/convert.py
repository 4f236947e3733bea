"""The one place rows become domain objects and back.

Rows may be ``*Row`` instances or SQLAlchemy result rows: both expose the columns as
attributes. Datetimes go in UTC-aware and come out UTC-aware: SQLite stores them without an
offset and hands back naive ones, which are UTC and fixed here on load.

A stored value that cannot be what its column holds (a file edited by hand, or damaged in a way
SQLite does not notice) raises ``BadValue`` naming the row and column; the store turns it into
one ``StoreError`` naming the database.
"""

from __future__ import annotations

import functools
import json
import math
from dataclasses import fields
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from fsrs import Card, Rating, State

from quiz.store.errors import BadValue
from quiz.store.records import (
    CardRecord,
    CardSummary,
    DueReview,
    ExamAttempt,
    SessionRecord,
    Settings,
    TopicResult,
    check_setting,
)
from quiz.textsafe import quote

if TYPE_CHECKING:
    from quiz.store.answers import ReviewEntry


def to_db_time(value: datetime | None) -> datetime | None:
    """An aware datetime in UTC for storage; naive input is refused (it is ambiguous)."""
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError(f"naive datetime {value!r}: pass a time zone-aware datetime")
    return value.astimezone(UTC)


def from_db_time(value: datetime | None) -> datetime | None:
    """A stored datetime as UTC-aware (``timezone.utc`` exactly, as fsrs requires)."""
    if value is None or value.tzinfo is UTC:
        return value
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value is not None else None


def _from_iso(value: str | None) -> datetime | None:
    return from_db_time(datetime.fromisoformat(value)) if value else None


# --- checking stored values -------------------------------------------------------------------

EARLIEST, LATEST_YEAR = 1970, 2999  # a time outside these years was not written by quiz


# What names a stored value in a message: text, or (kind, key, column) for ``card 'q1' due``,
# whose key is quoted only when a message is made (reading 10,000 cards must not quote 10,000
# ids to say nothing). A tuple, not an object: a card read names up to 16 values.
What = str | tuple[str, Any, str]


def _bad(what: What, value: Any, expected: str) -> BadValue:
    if isinstance(what, tuple):
        kind, key, column = what
        what = f"{kind} {quote(key)} {column}"
    return BadValue(f"{what} is {quote(value)}, not {expected}")


def _time(value: Any, what: What) -> datetime | None:
    """A stored time (text, or a datetime SQLAlchemy parsed), UTC-aware; None stays None."""
    if value is None:
        return None
    if isinstance(value, str):
        # As stored (UTC, no offset), read as UTC by the parse itself: ``replace(tzinfo=UTC)``
        # costs several parses, and every card read has up to six times. Anything else (an
        # offset of its own, a bare date) is read below.
        try:
            utc_time = datetime.fromisoformat(value + "+00:00")
        except ValueError:
            pass
        else:
            if utc_time.tzinfo is UTC and EARLIEST <= utc_time.year <= LATEST_YEAR:
                return utc_time
    try:
        parsed = datetime.fromisoformat(value) if isinstance(value, str) else value
    except ValueError:
        raise _bad(what, value, "a time") from None
    if not isinstance(parsed, datetime) or not EARLIEST <= parsed.year <= LATEST_YEAR:
        raise _bad(what, value, "a time")
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _required_time(value: Any, what: What) -> datetime:
    parsed = _time(value, what)
    if parsed is None:
        raise _bad(what, value, "a time")
    return parsed


def _int(value: Any, what: What, *, optional: bool = False) -> Any:
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise _bad(what, value, "a whole number")
    return value


# More lapses than any card can have (one a day at most, for a hundred years, is 36,500): a
# larger count is damage, and read as a count it would overflow SQLite's integer on the next.
MAX_LAPSES = 1_000_000


def _lapses(value: Any, what: What) -> int:
    count: int = _int(value, what)
    if not 0 <= count <= MAX_LAPSES:
        raise _bad(what, value, f"a count from 0 to {MAX_LAPSES}")
    return count


_NUMBER = (int, float)


def _float(value: Any, what: What, *, optional: bool = False) -> Any:
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, _NUMBER) or not math.isfinite(value):
        raise _bad(what, value, "a number")
    if value < 0:  # no figure kept here is negative; fsrs takes powers of stability
        raise _bad(what, value, "a number of at least 0")
    return float(value)


def _stability(value: Any, what: What, *, optional: bool = False) -> Any:
    """A card's fsrs stability: above 0 (fsrs keeps it at 0.001 or more; recall is worked out
    by dividing by it, so a 0 from a damaged file would crash every figure that reads it)."""
    stability = _float(value, what, optional=optional)
    if stability is not None and stability <= 0:
        raise _bad(what, value, "a number above 0")
    return stability


def _flag(value: Any, what: What) -> bool:
    if value not in (0, 1):  # True/False compare equal to 1/0
        raise _bad(what, value, "0 or 1")
    return bool(value)


def _text(value: Any, what: What) -> str:
    if not isinstance(value, str):
        raise _bad(what, value, "text")
    return value


def _json(value: Any, what: What, kind: type) -> Any:
    """A JSON column's value, which must decode to ``kind`` (list or dict)."""
    try:
        data = json.loads(_text(value, what))
    except (ValueError, RecursionError):
        raise _bad(what, value, "JSON") from None
    if not isinstance(data, kind):
        raise _bad(what, value, f"a JSON {'list' if kind is list else 'object'}")
    return data


@functools.cache
def _members(kind: Any) -> dict[int, Any]:
    """An int enum's members by value: a look-up, where calling the enum costs ~20 of them
    (every card read has one)."""
    return {int(m): m for m in kind}


def _enum(kind: Any, value: Any, what: What) -> Any:
    member = _members(kind).get(_int(value, what))
    if member is None:
        raise _bad(what, value, f"a {kind.__name__} ({', '.join(str(int(m)) for m in kind)})")
    return member


# --- cards -----------------------------------------------------------------------------------

def parse_db_time(value: str | datetime | None,
                  what: str = "a stored time") -> datetime | None:
    """A time read as raw column text (SQLite: '2025-03-10 12:00:00.000000'), UTC-aware."""
    return _time(value, what)


def fsrs_card_from_row(row: Any) -> Card:
    """The fsrs ``Card`` of a ``CardRow`` (or a result row with the card columns)."""
    qid = row.question_id
    return Card(card_id=_int(row.card_id, ("card", qid, "card_id")),
                state=_enum(State, row.state, ("card", qid, "state")),
                step=_int(row.step, ("card", qid, "step"), optional=True),
                stability=_stability(row.stability, ("card", qid, "stability"), optional=True),
                difficulty=_float(row.difficulty, ("card", qid, "difficulty"),
                                  optional=True),
                due=_required_time(row.due, ("card", qid, "due")),
                last_review=_time(row.last_review, ("card", qid, "last_review")))


def due_review_from_row(row: Any) -> DueReview:
    """(question_id, stability, last_review text, due text) as a ``DueReview``."""
    qid, stability, last_review, due = row
    return DueReview(qid, _stability(stability, ("card", qid, "stability")),
                     _required_time(last_review, ("card", qid, "last_review")),
                     _required_time(due, ("card", qid, "due")))


def card_summary_from_row(row: Any) -> CardSummary:
    """(question_id, state, stability, last_review, due, suspended, leech, difficulty,
    lapses) as a ``CardSummary``, each value checked as ``card_from_row`` checks it."""
    qid, state, stability, last_review, due, suspended, leech, difficulty, lapses = row
    return CardSummary(_text(qid, "a card's question_id"),
                       _enum(State, state, ("card", qid, "state")),
                       _stability(stability, ("card", qid, "stability"), optional=True),
                       _time(last_review, ("card", qid, "last_review")),
                       _required_time(due, ("card", qid, "due")),
                       _flag(suspended, ("card", qid, "suspended")),
                       _flag(leech, ("card", qid, "leech")),
                       _float(difficulty, ("card", qid, "difficulty"), optional=True),
                       _lapses(lapses, ("card", qid, "lapses")))


def card_from_row(row: Any) -> CardRecord:
    """A ``CardRow`` (or a result row with its columns) as a ``CardRecord``."""
    card = fsrs_card_from_row(row)
    qid = row.question_id
    return CardRecord(
        question_id=_text(row.question_id, "a card's question_id"), card=card,
        fingerprint=_text(row.fingerprint, ("card", qid, "fingerprint")),
        first_seen=_time(row.first_seen, ("card", qid, "first_seen")),
        last_answered=_time(row.last_answered, ("card", qid, "last_answered")),
        introduced_at=_time(row.introduced_at, ("card", qid, "introduced_at")),
        reset_at=_time(row.reset_at, ("card", qid, "reset_at")),
        flagged=_flag(row.flagged, ("card", qid, "flagged")),
        suspended=_flag(row.suspended, ("card", qid, "suspended")),
        lapses=_lapses(row.lapses, ("card", qid, "lapses")),
        leech=_flag(row.leech, ("card", qid, "leech")),
    )


def card_values(record: CardRecord) -> dict[str, Any]:
    """The column values of a ``CardRow`` for a ``CardRecord``."""
    c = record.card
    return {
        "question_id": record.question_id, "card_id": c.card_id, "state": int(c.state),
        "step": c.step, "stability": c.stability, "difficulty": c.difficulty,
        "due": to_db_time(c.due), "last_review": to_db_time(c.last_review),
        "first_seen": to_db_time(record.first_seen),
        "last_answered": to_db_time(record.last_answered),
        "introduced_at": to_db_time(record.introduced_at),
        "reset_at": to_db_time(record.reset_at),
        "flagged": record.flagged, "suspended": record.suspended,
        "fingerprint": record.fingerprint, "lapses": record.lapses, "leech": record.leech,
    }


# The fields an answer changes, saved with its log so undo and regrade can restore them.
# Flags are the user's own marks, not part of an answer: undo leaves them alone.
def card_state_json(record: CardRecord) -> str:
    """The answer-dependent part of a card as JSON, for ``ReviewLogRow.card_before``."""
    return json.dumps({
        "card": record.card.to_dict(), "fingerprint": record.fingerprint,
        "first_seen": _iso(record.first_seen), "last_answered": _iso(record.last_answered),
        "introduced_at": _iso(record.introduced_at), "reset_at": _iso(record.reset_at),
        "lapses": record.lapses, "leech": record.leech,
    })


def card_state_from_json(question_id: str, text: str) -> CardRecord:
    """A ``CardRecord`` (unflagged, unsuspended) from ``card_state_json`` output."""
    what = f"the card_before of an answer to {quote(question_id)}"
    data = _json(text, what, dict)
    try:
        card = Card.from_dict(data["card"])
        card.due = from_db_time(card.due) or card.due
        card.last_review = from_db_time(card.last_review)
        return CardRecord(
            question_id=question_id, card=card, fingerprint=_text(data["fingerprint"], what),
            first_seen=_from_iso(data["first_seen"]),
            last_answered=_from_iso(data["last_answered"]),
            introduced_at=_from_iso(data["introduced_at"]), reset_at=_from_iso(data["reset_at"]),
            # Answers logged before schema 4 did not keep these: recounted from the logs.
            lapses=_lapses(data.get("lapses", 0), what),
            leech=_flag(data.get("leech", False), what),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise _bad(what, text, f"a card state ({type(exc).__name__})") from None


# --- review log ------------------------------------------------------------------------------

def picked_json(picked: tuple[int, ...]) -> str:
    """Choice indices (bank order) as stored."""
    return json.dumps(sorted(picked))


def shown_order_json(order: tuple[int, ...] | None) -> str | None:
    """The bank indices of the choices in the order they were shown, as stored."""
    return json.dumps(list(order)) if order is not None else None


MAX_CHOICES = 6  # the most a question has (quiz.bank.models.Question.choices)


def _shown_order(value: Any, what: str) -> tuple[int, ...] | None:
    if value is None:
        return None
    if isinstance(value, str) and len(value) > 100:  # six indices fit in far less: not decoded
        raise _bad(what, value[:40] + "…", "a list of choice indices")
    order = _json(value, what, list)
    if not all(type(i) is int and 0 <= i < MAX_CHOICES for i in order) \
            or len(set(order)) != len(order):
        raise _bad(what, value, "a list of choice indices, each shown once")
    return tuple(order)


def review_from_row(row: Any) -> ReviewEntry:
    """A ``ReviewLogRow`` (or result row) as a ``ReviewEntry``."""
    from quiz.store.answers import ReviewEntry  # read after the first screen: see there

    what = f"answer {quote(row.id)}"
    question_id = _text(row.question_id, f"{what} question_id")
    return ReviewEntry(
        id=_int(row.id, "an answer's id"), question_id=question_id,
        answered_at=_required_time(row.answered_at, f"{what} answered_at"),
        picked=tuple(_json(row.picked, f"{what} picked", list)),
        correct=_flag(row.correct, f"{what} correct"),
        rating=_enum(Rating, row.rating, f"{what} rating"),
        duration_ms=_int(row.duration_ms, f"{what} duration_ms", optional=True),
        mode=_text(row.mode, f"{what} mode"),
        session_id=_int(row.session_id, f"{what} session_id", optional=True),
        fingerprint=_text(row.fingerprint, f"{what} fingerprint"),
        card_before=card_state_from_json(question_id, row.card_before),
        shown_order=_shown_order(row.shown_order, f"{what} shown_order"),
    )


_RATINGS = {int(r): r for r in Rating}


def scheduled_answers(rows: Any) -> Any:
    """(id, question_id, answered_at as raw text, rating) rows as ``ScheduledAnswer``s, each
    checked as ``review_from_row`` checks those fields: a year of answers takes a fraction
    of a second, as a row that is plainly well-formed is read without building messages."""
    from quiz.store.answers import ScheduledAnswer

    for log_id, question_id, answered_at, rating in rows:
        found = _RATINGS.get(rating) if type(rating) is int else None
        if type(log_id) is int and type(question_id) is str and type(answered_at) is str \
                and found is not None and len(answered_at) >= 19:
            try:
                at = datetime.fromisoformat(answered_at)
            except ValueError:
                at = None
            if at is not None and at.tzinfo is None and EARLIEST <= at.year <= LATEST_YEAR:
                yield ScheduledAnswer(log_id, question_id, at.replace(tzinfo=UTC), found)
                continue
        yield ScheduledAnswer(
            _int(log_id, "an answer's id"),
            _text(question_id, ("answer", log_id, "question_id")),
            _required_time(answered_at, ("answer", log_id, "answered_at")),
            _enum(Rating, rating, ("answer", log_id, "rating")))


# --- sessions and exams ----------------------------------------------------------------------

def per_topic_json(per_topic: dict[str, TopicResult]) -> str:
    """Per-topic results as stored."""
    return json.dumps({t: {"correct": r.correct, "total": r.total}
                       for t, r in sorted(per_topic.items())})


def session_from_row(row: Any) -> SessionRecord:
    """A ``StudySessionRow`` (or result row) as a ``SessionRecord``."""
    what = f"study session {quote(row.id)}"
    per_topic = _json(row.per_topic or "{}", f"{what} per_topic", dict)
    try:
        results = {t: TopicResult(_int(r["correct"], f"{what} per_topic"),
                                  _int(r["total"], f"{what} per_topic"))
                   for t, r in per_topic.items()}
    except (KeyError, TypeError):
        raise _bad(f"{what} per_topic", row.per_topic, "per-topic results") from None
    return SessionRecord(
        id=_int(row.id, "a study session's id"), mode=_text(row.mode, f"{what} mode"),
        started_at=_required_time(row.started_at, f"{what} started_at"),
        topic=row.topic, concept=row.concept,
        finished_at=_time(row.finished_at, f"{what} finished_at"),
        score=_int(row.score, f"{what} score", optional=True),
        total=_int(row.total, f"{what} total", optional=True), per_topic=results,
    )


def exam_from_rows(session_row: Any, exam_row: Any) -> ExamAttempt:
    """A study-session row and its exam-attempt row as an ``ExamAttempt``."""
    session = session_from_row(session_row)
    what = f"exam attempt {quote(session.id)}"
    answers = _json(exam_row.answers or "{}", f"{what} answers", dict)
    flags = _json(exam_row.flags or "[]", f"{what} flags", list)
    ids = _json(exam_row.question_ids, f"{what} question_ids", list)
    if not all(isinstance(p, list) for p in answers.values()) \
            or not all(isinstance(q, str) for q in [*ids, *flags]):
        raise _bad(what, exam_row.answers, "an exam's question ids and answers")
    return ExamAttempt(
        session=session, question_ids=tuple(ids),
        time_limit_s=_int(exam_row.time_limit_s, f"{what} time_limit_s", optional=True),
        pass_mark=_float(exam_row.pass_mark, f"{what} pass_mark", optional=True),
        answers={q: tuple(p) for q, p in answers.items()}, flags=frozenset(flags),
    )


def exam_answers(text: Any) -> dict[str, Any]:
    """An exam attempt's stored answers, to add one to."""
    return dict(_json(text or "{}", "an exam attempt's answers", dict))


def answers_json(answers: dict[str, tuple[int, ...]]) -> str:
    """Exam answers as stored."""
    return json.dumps({q: sorted(p) for q, p in answers.items()})


def exam_position(value: Any) -> str | None:
    """A stored exam position (JSON text of a question id); None when it is anything else:
    it only says where a resumed paper opens, so damage there opens it at its start."""
    if not isinstance(value, str):
        return None
    try:
        found = json.loads(value)
    except (ValueError, RecursionError):  # RecursionError: JSON nested too deep
        return None
    return found if isinstance(found, str) else None


# --- settings --------------------------------------------------------------------------------

def settings_from_rows(rows: Any) -> Settings:
    """``SettingRow``s (key, JSON value) as ``Settings``; unknown keys are ignored (a newer
    quiz may have written them), a known one holding what it may not is damage."""
    known = {f.name for f in fields(Settings)}
    values: dict[str, Any] = {}
    for row in rows:
        key = _text(row.key, "a setting's key")
        if key not in known:
            continue
        try:
            value = json.loads(_text(row.value, f"setting {quote(key)}"))
        except (ValueError, RecursionError):
            raise _bad(f"setting {quote(key)}", row.value, "JSON") from None
        if key == "exam_date" and value not in (None, ""):
            try:
                value = date.fromisoformat(value)
            except (TypeError, ValueError):
                raise _bad("setting 'exam_date'", value, "a date (YYYY-MM-DD)") from None
        elif key == "exam_date":
            value = None
        try:
            values[key] = check_setting(key, value)
        except ValueError as error:
            raise _bad(f"setting {quote(key)}", value, str(error).split(" must be ", 1)[-1]) \
                from None
    return Settings(**values)


def setting_value(key: str, value: Any) -> str:
    """A setting's value as stored (JSON)."""
    if isinstance(value, date):
        value = value.isoformat()
    if key == "fsrs_fit" and value is not None:
        value = value.to_json()
    return json.dumps(value)
