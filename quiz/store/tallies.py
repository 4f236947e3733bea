"""The answer history added up in SQL, for the stats' charts: one text for ``Store`` and
``Snapshot`` (stdlib only, so the snapshot stays free of SQLAlchemy).

100,000 answers are too many to read one by one for a page of figures: each tally is one
``GROUP BY`` pass over ``review_log`` and hands back a few thousand rows at most. Each is one
learner's: the learner is the first parameter of every query here (``+learner`` in SQLite-only
SQL: a period of answers is read in order, the learner choosing no index; see
``quiz.store.base.owned``).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from quiz.clock import utc

# Whether an answer was to a card in review (fsrs state 2) before it, and how long that
# card's interval was (due - last review, as scheduled): Anki's true retention splits its
# answers into young (< 21 days) and mature cards. Only the modes that feed the schedule
# count; an unreadable card_before counts as not in review (never an error).
YOUNG, MATURE, OTHER = 1, 2, 0
MATURE_DAYS = 21
_KIND = (
    "CASE WHEN mode IN ('review', 'exam') AND json_valid(card_before) "
    "AND json_extract(card_before, '$.card.state') = 2 THEN "
    "CASE WHEN julianday(json_extract(card_before, '$.card.due')) "
    f"- julianday(json_extract(card_before, '$.card.last_review')) >= {MATURE_DAYS} "
    f"THEN {MATURE} ELSE {YOUNG} END ELSE {OTHER} END")

# Answers since a time by local week (its Monday), question and kind.
WEEKLY_SQL = (
    "SELECT date(answered_at, ?, '-6 days', 'weekday 1') AS week, question_id, "
    f"{_KIND} AS kind, count(*), sum(CASE WHEN correct THEN 1 ELSE 0 END) "
    "FROM review_log WHERE +learner = ? AND answered_at >= ? GROUP BY week, question_id, kind")
# Answers and right answers per question, ever.
PER_QUESTION_SQL = (
    "SELECT question_id, count(*), sum(CASE WHEN correct THEN 1 ELSE 0 END) "
    "FROM review_log WHERE learner = ? GROUP BY question_id")
# How long answers took, by mode, in tenths of a second.
DURATIONS_SQL = (
    "SELECT mode, duration_ms / 100 AS tenths, count(*) FROM review_log "
    "WHERE learner = ? AND duration_ms IS NOT NULL AND duration_ms >= 0 GROUP BY mode, tenths")

# Review-mode answers by grade (1 Again to 4 Easy; a regrade counts as regraded).
RATINGS_SQL = ("SELECT rating, count(*) FROM review_log WHERE learner = ? AND mode = 'review' "
               "GROUP BY rating")

_OFFSET = re.compile(r"^(localtime|[+-]\d{1,4} minutes)$")


class WeekTally(NamedTuple):
    """Answers in one local week (``week``: its Monday, YYYY-MM-DD) to one question."""

    week: str
    question_id: str
    kind: int  # YOUNG, MATURE or OTHER
    answers: int
    correct: int


def _db_time(value: datetime) -> str:
    """As SQLAlchemy stores a time in SQLite (UTC, no offset), to compare with stored ones."""
    return utc(value).strftime("%Y-%m-%d %H:%M:%S.%f")


Execute = Callable[[str, Sequence[Any]], list[Any]]


def weekly(execute: Execute, since: datetime, local: str, learner: str) -> list[WeekTally]:
    """``WEEKLY_SQL`` through ``execute``, ``learner``'s answers; ``local``: SQLite's modifier
    from UTC to the local time ("localtime", or a fixed "+60 minutes")."""
    if not _OFFSET.match(local):
        raise ValueError(f"not a time zone modifier: {local!r}")
    return [WeekTally(week, qid, int(kind), int(n), int(right or 0))
            for week, qid, kind, n, right in execute(WEEKLY_SQL,
                                                     (local, learner, _db_time(since)))
            if week is not None and isinstance(qid, str)]


def per_question(execute: Execute, learner: str) -> dict[str, tuple[int, int]]:
    """``PER_QUESTION_SQL``: ``learner``'s (answers, right answers) by question id."""
    return {qid: (int(n), int(right or 0))
            for qid, n, right in execute(PER_QUESTION_SQL, (learner,))
            if isinstance(qid, str)}


def durations(execute: Execute, learner: str) -> list[tuple[str, int, int]]:
    """``DURATIONS_SQL``: ``learner``'s (mode, tenths of a second, answers)."""
    return [(mode, int(tenths), int(n)) for mode, tenths, n in execute(DURATIONS_SQL, (learner,))
            if isinstance(mode, str) and isinstance(tenths, int)]


def ratings(execute: Execute, learner: str) -> dict[int, int]:
    """``RATINGS_SQL``: ``learner``'s review answers by grade (a grade that is not one of
    fsrs's left out)."""
    return {rating: int(n) for rating, n in execute(RATINGS_SQL, (learner,))
            if isinstance(rating, int) and 1 <= rating <= 4}


# The columns of the answers ``weekly_from_rows`` adds up: for a database other than SQLite,
# whose SQL has no json_extract, julianday or date modifiers (PostgreSQL).
WEEKLY_ROWS_COLUMNS = ("answered_at", "question_id", "mode", "correct", "card_before")


def answer_kind(mode: object, card_before: object) -> int:
    """``_KIND`` in Python: YOUNG, MATURE or OTHER, as SQLite works it out (an unreadable
    card_before is OTHER; an unreadable interval, YOUNG)."""
    if mode not in ("review", "exam") or not isinstance(card_before, str):
        return OTHER
    try:
        card = json.loads(card_before)["card"]
        if card["state"] != 2 or isinstance(card["state"], bool):
            return OTHER
    except (ValueError, TypeError, KeyError, RecursionError):
        return OTHER
    try:
        interval = datetime.fromisoformat(card["due"]) - datetime.fromisoformat(
            card["last_review"])
    except (ValueError, TypeError, KeyError):
        return YOUNG  # SQLite: julianday(NULL) compares as NULL, the ELSE branch
    return MATURE if interval >= timedelta(days=MATURE_DAYS) else YOUNG


def weekly_from_rows(rows: Iterable[Sequence[Any]], local: str) -> list[WeekTally]:
    """``weekly`` worked out in Python from answers (``WEEKLY_ROWS_COLUMNS``, times aware):
    "localtime" is the system's zone at each answer's time, else the fixed offset."""
    if not _OFFSET.match(local):
        raise ValueError(f"not a time zone modifier: {local!r}")
    shift = None if local == "localtime" else timedelta(minutes=int(local.split()[0]))
    counts: Counter[tuple[str, str, int]] = Counter()
    right: Counter[tuple[str, str, int]] = Counter()
    for answered_at, question_id, mode, correct, card_before in rows:
        if not isinstance(answered_at, datetime) or not isinstance(question_id, str):
            continue
        when = utc(answered_at)
        day = (when.astimezone() if shift is None else when + shift).date()
        week = (day - timedelta(days=day.weekday())).isoformat()
        key = (week, question_id, answer_kind(mode, card_before))
        counts[key] += 1
        right[key] += bool(correct)
    return [WeekTally(week, qid, kind, n, right[(week, qid, kind)])
            for (week, qid, kind), n in counts.items()]
