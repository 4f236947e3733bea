"""``quiz exam`` and ``quiz --exam-date``: bad values refused with one message and exit 1
before anything opens; good ones open the exam, or are remembered and change the stats."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path

import pytest

from quiz.bank import load_bank
from quiz.exam import ExamFormat
from quiz.store import open_store
from quiz.tui.app import QuizApp
from tests.tui.conftest import TUI_BANK
from tests.tui.test_tui_start import invoke


@pytest.mark.parametrize(("flags", "message"), [
    (["--questions", "0"], "--questions must be between 1 and 300, not 0"),
    (["--minutes", "601"], "--minutes must be between 1 and 600, not 601"),
    (["--pass", "0"], "--pass must be between 1 and 100%, not 0%"),
    (["--questions", "ten"], "--questions must be a whole number, not 'ten'"),
])
def test_exam_refuses_values_out_of_range(tmp_path: Path, opened: list[QuizApp],
                                          flags: list[str], message: str) -> None:
    db = tmp_path / "p.db"
    code, output = invoke("--bank", str(TUI_BANK), "--db", str(db), "exam", *flags)
    assert code == 1 and not opened and f"quiz: {message}" in output
    assert not db.exists()


def test_exam_opens_on_a_paper_of_that_format(tmp_path: Path, opened: list[QuizApp]) -> None:
    code, output = invoke("--bank", str(TUI_BANK), "--db", str(tmp_path / "p.db"), "exam",
                          "--questions", "2", "--minutes", "5", "--pass", "60")
    assert code == 0, output
    (app,) = opened
    assert app.start == "exam"
    assert app.exam_format == ExamFormat(2, timedelta(minutes=5), 0.6)


@pytest.mark.parametrize(("value", "message"), [
    ("2026-13-01", "--exam-date '2026-13-01' is not a date: use YYYY-MM-DD"),
    ("next week", "--exam-date 'next week' is not a date"),
    ("2020-01-01", "--exam-date 2020-01-01 is in the past"),
])
def test_a_bad_exam_date_exits_1(tmp_path: Path, opened: list[QuizApp], value: str,
                                 message: str) -> None:
    db = tmp_path / "p.db"
    code, output = invoke("--bank", str(TUI_BANK), "--db", str(db), "--exam-date", value)
    assert code == 1 and not opened and message in output
    assert not db.exists()


def prediction(output: str) -> tuple[int, int | None]:
    """(predicted %, today's % when the prediction is for an exam day) from ``quiz stats``."""
    dated = re.search(r"predicted  (\d+)% on the exam day \((\d+)% now\)", output)
    if dated:
        return int(dated[1]), int(dated[2])
    undated = re.search(r"predicted  (\d+)% now", output)
    assert undated, output
    return int(undated[1]), None


def test_exam_date_is_remembered_and_lowers_the_prediction(tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    store = open_store(db, enable_fuzzing=False)  # the real clock, as the CLI's
    for question in load_bank([TUI_BANK]).questions.values():
        store.record_answer(question, sorted(question.correct_indices))
    store.close()
    base = ("--bank", str(TUI_BANK), "--db", str(db))

    code, output = invoke(*base, "stats")
    assert code == 0 and "exam day   not set" in output
    today, _ = prediction(output)

    day = date.today() + timedelta(days=21)
    code, output = invoke(*base, "--exam-date", day.isoformat(), "stats")
    assert code == 0 and f"exam day   {day.isoformat()} (in 21 days)" in output
    on_the_day, now = prediction(output)
    assert now == today and on_the_day < today  # recall fades over three weeks

    code, output = invoke(*base, "stats", "--json")  # remembered without the flag
    figures = json.loads(output)["readiness"]
    assert figures["exam_date"] == day.isoformat() and figures["days_to_exam"] == 21
    assert round(100 * figures["predicted"]["overall"]) == on_the_day
    store = open_store(db)
    assert store.settings().exam_date == day
    store.close()

    code, output = invoke(*base, "--exam-date", "none", "stats")
    assert code == 0 and "exam day   not set" in output
