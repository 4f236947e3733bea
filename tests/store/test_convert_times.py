"""Stored times as ``convert`` reads them: the stored form (UTC, no offset) and any other a
hand-edited file may hold come out as the same UTC instant, ``timezone.utc`` exactly (fsrs
requires it); a time quiz could not have written is damage."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fsrs import Rating, State

from quiz.store.convert import _enum, parse_db_time
from quiz.store.errors import BadValue

NOON = datetime(2025, 3, 10, 12, tzinfo=UTC)


@pytest.mark.parametrize(("text", "expected"), [
    ("2025-03-10 12:00:00.000000", NOON),  # as SQLAlchemy stores it
    ("2025-03-10 12:00:00.250000", NOON.replace(microsecond=250000)),
    ("2025-03-10 12:00:00", NOON),
    ("2025-03-10T12:00", NOON),
    ("2025-03-10T14:00:00+02:00", NOON),  # an offset of its own
    ("2025-03-10 12:00:00Z", NOON),
    ("2025-03-10", NOON.replace(hour=0)),  # a bare date: its midnight, UTC
])
def test_a_stored_time_is_read_as_utc(text: str, expected: datetime) -> None:
    parsed = parse_db_time(text)
    assert parsed == expected
    assert parsed is not None and parsed.tzinfo is UTC


@pytest.mark.parametrize("text", ["0001-01-01 00:00:00.000000", "9999-12-31 00:00:00",
                                  "soon", "2025-13-01 00:00:00", ""])
def test_a_time_quiz_could_not_have_written_is_damage(text: str) -> None:
    with pytest.raises(BadValue, match="not a time"):
        parse_db_time(text, "card 'q' due")


def test_an_enum_is_read_by_value_and_anything_else_is_damage() -> None:
    assert _enum(State, 2, "state") is State.Review
    assert _enum(Rating, 1, "rating") is Rating.Again
    for bad in (0, 5, True, "2", 2.0):
        with pytest.raises(BadValue, match="rating is"):
            _enum(Rating, bad, "rating")


def test_a_damaged_value_is_named_by_its_row_and_column() -> None:
    from quiz.store.convert import card_summary_from_row
    from quiz.textsafe import quote

    key = "q'1\x1b"  # quoted in the message, as any stored text
    row = (key, 2, 3.0, "2025-03-10 12:00:00", "soon", 0, 0, 5.0, 0)
    with pytest.raises(BadValue) as raised:
        card_summary_from_row(row)
    assert str(raised.value) == f"card {quote(key)} due is {quote('soon')}, not a time"
