"""The one place rows become domain objects and back.

Rows may be ``*Row`` instances or SQLAlchemy result rows: both expose the columns as
attributes. Datetimes go in UTC-aware and come out UTC-aware: SQLite stores them without an
offset and hands back naive ones, which are UTC and fixed here on load.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

from fsrs import Card, Rating, State

from quiz.store.records import (
    CardRecord,
    DueReview,
    ExamAttempt,
    ReviewEntry,
    SessionRecord,
    Settings,
    TopicResult,
)


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


# --- cards -----------------------------------------------------------------------------------

def parse_db_time(value: str | datetime | None) -> datetime | None:
    """A time read as raw column text (SQLite: '2025-03-10 12:00:00.000000'), UTC-aware."""
    if isinstance(value, str):
        parsed = datetime.fromisoformat(value)
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    return from_db_time(value)


def fsrs_card_from_row(row: Any) -> Card:
    """The fsrs ``Card`` of a ``CardRow`` (or a result row with the card columns)."""
    due = from_db_time(row.due)
    assert due is not None
    return Card(card_id=int(row.card_id), state=State(row.state), step=row.step,
                stability=row.stability, difficulty=row.difficulty, due=due,
                last_review=from_db_time(row.last_review))


def due_review_from_row(row: Any) -> DueReview:
    """(question_id, stability, last_review text, due text) as a ``DueReview``."""
    question_id, stability, last_review, due = row
    return DueReview(question_id, stability, parse_db_time(last_review),
                     parse_db_time(due))  # type: ignore[arg-type]


def card_from_row(row: Any) -> CardRecord:
    """A ``CardRow`` (or a result row with its columns) as a ``CardRecord``."""
    card = fsrs_card_from_row(row)
    return CardRecord(
        question_id=row.question_id, card=card, fingerprint=row.fingerprint,
        first_seen=from_db_time(row.first_seen), last_answered=from_db_time(row.last_answered),
        introduced_at=from_db_time(row.introduced_at), reset_at=from_db_time(row.reset_at),
        flagged=bool(row.flagged), suspended=bool(row.suspended),
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
        "fingerprint": record.fingerprint,
    }


# The fields an answer changes, saved with its log so undo and regrade can restore them.
# Flags are the user's own marks, not part of an answer: undo leaves them alone.
def card_state_json(record: CardRecord) -> str:
    """The answer-dependent part of a card as JSON, for ``ReviewLogRow.card_before``."""
    return json.dumps({
        "card": record.card.to_dict(), "fingerprint": record.fingerprint,
        "first_seen": _iso(record.first_seen), "last_answered": _iso(record.last_answered),
        "introduced_at": _iso(record.introduced_at), "reset_at": _iso(record.reset_at),
    })


def card_state_from_json(question_id: str, text: str) -> CardRecord:
    """A ``CardRecord`` (unflagged, unsuspended) from ``card_state_json`` output."""
    data = json.loads(text)
    card = Card.from_dict(data["card"])
    card.due = from_db_time(card.due) or card.due
    card.last_review = from_db_time(card.last_review)
    return CardRecord(
        question_id=question_id, card=card, fingerprint=data["fingerprint"],
        first_seen=_from_iso(data["first_seen"]), last_answered=_from_iso(data["last_answered"]),
        introduced_at=_from_iso(data["introduced_at"]), reset_at=_from_iso(data["reset_at"]),
    )


# --- review log ------------------------------------------------------------------------------

def picked_json(picked: tuple[int, ...]) -> str:
    """Choice indices (bank order) as stored."""
    return json.dumps(sorted(picked))


def review_from_row(row: Any) -> ReviewEntry:
    """A ``ReviewLogRow`` (or result row) as a ``ReviewEntry``."""
    answered_at = from_db_time(row.answered_at)
    assert answered_at is not None
    return ReviewEntry(
        id=row.id, question_id=row.question_id, answered_at=answered_at,
        picked=tuple(json.loads(row.picked)), correct=bool(row.correct),
        rating=Rating(row.rating), duration_ms=row.duration_ms, mode=row.mode,
        session_id=row.session_id, fingerprint=row.fingerprint,
        card_before=card_state_from_json(row.question_id, row.card_before),
    )


# --- sessions and exams ----------------------------------------------------------------------

def per_topic_json(per_topic: dict[str, TopicResult]) -> str:
    """Per-topic results as stored."""
    return json.dumps({t: {"correct": r.correct, "total": r.total}
                       for t, r in sorted(per_topic.items())})


def session_from_row(row: Any) -> SessionRecord:
    """A ``StudySessionRow`` (or result row) as a ``SessionRecord``."""
    started = from_db_time(row.started_at)
    assert started is not None
    return SessionRecord(
        id=row.id, mode=row.mode, started_at=started, topic=row.topic, concept=row.concept,
        finished_at=from_db_time(row.finished_at), score=row.score, total=row.total,
        per_topic={t: TopicResult(int(r["correct"]), int(r["total"]))
                   for t, r in json.loads(row.per_topic or "{}").items()},
    )


def exam_from_rows(session_row: Any, exam_row: Any) -> ExamAttempt:
    """A study-session row and its exam-attempt row as an ``ExamAttempt``."""
    return ExamAttempt(
        session=session_from_row(session_row),
        question_ids=tuple(json.loads(exam_row.question_ids)),
        time_limit_s=exam_row.time_limit_s, pass_mark=exam_row.pass_mark,
        answers={q: tuple(p) for q, p in json.loads(exam_row.answers or "{}").items()},
        flags=frozenset(json.loads(exam_row.flags or "[]")),
    )


def answers_json(answers: dict[str, tuple[int, ...]]) -> str:
    """Exam answers as stored."""
    return json.dumps({q: sorted(p) for q, p in answers.items()})


# --- settings --------------------------------------------------------------------------------

def settings_from_rows(rows: Any) -> Settings:
    """``SettingRow``s (key, JSON value) as ``Settings``; unknown keys are ignored."""
    values = {row.key: json.loads(row.value) for row in rows}
    defaults = Settings()
    exam_date = values.get("exam_date")
    return Settings(
        desired_retention=float(values.get("desired_retention", defaults.desired_retention)),
        daily_new_limit=int(values.get("daily_new_limit", defaults.daily_new_limit)),
        exam_date=date.fromisoformat(exam_date) if exam_date else None,
    )


def setting_value(key: str, value: Any) -> str:
    """A setting's value as stored (JSON)."""
    if isinstance(value, date):
        value = value.isoformat()
    return json.dumps(value)
