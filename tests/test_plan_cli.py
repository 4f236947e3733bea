"""``quiz plan``: the plan printed or as JSON, one line and exit 1 without an exam date."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from quiz import cli
from quiz.store import Store, make_engine


def run_main(argv: list[str]) -> int:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(argv)
    code = exit_info.value.code
    return code if isinstance(code, int) else 1


def with_exam_date(db: Path, day: date | None) -> None:
    store = Store(make_engine(db))
    store.update_settings(exam_date=day, daily_new_limit=10)
    store.close()


def test_without_an_exam_date_it_says_so_in_one_line(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture) -> None:
    assert run_main(["plan", "--db", str(tmp_path / "p.db")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("quiz: No exam date set") and err.count("\n") == 1


def test_a_past_exam_date_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    db = tmp_path / "p.db"
    with_exam_date(db, date.today() - timedelta(days=2))
    assert run_main(["plan", "--db", str(db), "--json"]) == 1
    captured = capsys.readouterr()
    assert "is past" in captured.err and captured.out == ""


def test_the_plan_is_the_same_for_the_same_seed(tmp_path: Path,
                                                capsys: pytest.CaptureFixture) -> None:
    db = tmp_path / "p.db"
    exam = date.today() + timedelta(days=12)
    with_exam_date(db, exam)
    assert run_main(["plan", "--db", str(db), "--json", "--seed", "3"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert run_main(["plan", "--db", str(db), "--json", "--seed", "3"]) == 0
    assert json.loads(capsys.readouterr().out) == first
    assert first["exam_date"] == exam.isoformat() and first["seed"] == 3
    assert first["current"]["new_per_day"] == 10
    assert first["recommended"]["unseen_at_exam"] == 0
    assert run_main(["plan", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "Now:         10 new a day, retention 0.90 → " in out
    assert f"new a day sees every question by {exam - timedelta(days=1):%a %d %b}" in out
    assert "NetworkPolicy" in out  # the per-topic lines name the topics
