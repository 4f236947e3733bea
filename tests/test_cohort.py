"""The class's figures (``quiz.cohort``): per learner, per concept, per question, from a class
of three learners with known answers (tests/cohort_class.py works the figures out)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC
from pathlib import Path

import pytest

from quiz.bank import Bank
from quiz.cohort import Cohort, class_figures, format_cohort, learner_stores
from quiz.readiness import outlook
from quiz.scheduling import due_today
from quiz.store import Store, make_engine
from tests.cohort_class import LAST_ANSWER, record_class
from tests.conftest import T0, Clock


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """One database for the whole class: a SQLite file, or a PostgreSQL database."""
    if request.param == "postgresql":
        return str(request.getfixturevalue("pg_server").new_database(migrated=True))
    return str(tmp_path / "class.db")


@pytest.fixture
def stores(database: str, bank: Bank, clock: Clock) -> Iterator[dict[str, Store]]:
    """Each learner's store on the one database, as ``learner_stores`` finds them."""
    teacher = Store(make_engine(database), now=clock, enable_fuzzing=False, learner="alice")
    record_class(bank, teacher.for_learner, clock)
    yield learner_stores(teacher)
    teacher.close()


def figures(cohort: Cohort, which: str) -> list[tuple[object, ...]]:
    rows = cohort.concepts if which == "concepts" else cohort.questions
    return [(m.id, m.answered, m.wrong, m.learners, m.missed_by, m.ranked) for m in rows]


def test_each_learner(bank: Bank, stores: dict[str, Store]) -> None:
    cohort = class_figures(bank, stores, T0, tz=UTC)
    got = {f.name: (f.answers, f.correct, f.questions, f.last_answer) for f in cohort.learners}
    assert got == {"alice": (4, 2, 3, LAST_ANSWER["alice"]),
                   "bob": (3, 1, 3, LAST_ANSWER["bob"]),
                   "carol": (3, 2, 3, LAST_ANSWER["carol"])}
    assert [f.name for f in cohort.learners] == ["alice", "bob", "carol"]
    for f in cohort.learners:  # readiness and due today exactly as the learner's own pages
        own = outlook(bank, stores[f.name], T0, UTC).prediction
        assert (f.prediction.overall, f.prediction.passes) == (own.overall, own.passes)
        due = due_today(bank, stores[f.name], T0, tz=UTC)
        assert (f.due_reviews, f.due_new) == (len(due.reviews), len(due.new))
    # Reviewed questions count in the prediction; practice and exam answers do not.
    alice, bob, carol = cohort.learners
    assert alice.prediction.overall > 0 and not alice.prediction.passes
    # Every learner's learning steps are due by now: the questions answered in review mode
    # (carol's retired question is not in the bank); new ones up to the 20 a day.
    assert [(f.due_reviews, f.due_new) for f in cohort.learners] == [(2, 5), (2, 5), (2, 5)]
    assert (cohort.answers, cohort.correct) == (10, 5)


def test_concepts_and_questions_with_counts_worst_first(bank: Bank,
                                                        stores: dict[str, Store]) -> None:
    cohort = class_figures(bank, stores, T0, min_answers=3)
    assert figures(cohort, "concepts") == [
        ("default-deny", 6, 4, 3, 2, True),
        ("egress-rules", 2, 1, 2, 1, False),
        ("mesh-mtls", 1, 0, 1, 0, False),
        ("wireguard", 1, 0, 1, 0, False)]
    assert cohort.concepts[0].error_rate == pytest.approx(4 / 6)
    assert figures(cohort, "questions") == [
        ("np-deny-scope", 4, 2, 3, 2, True),
        ("np-deny-effects", 1, 1, 1, 1, False),
        ("np-egress-all-above", 1, 1, 1, 1, False)]
    assert (cohort.not_in_bank.questions, cohort.not_in_bank.answered,
            cohort.not_in_bank.wrong) == (1, 1, 1)


def test_enough_answers_comes_before_a_higher_rate(bank: Bank,
                                                   stores: dict[str, Store]) -> None:
    # With 1 answer enough, np-deny-effects (1 of 1 wrong) outranks np-deny-scope (2 of 4).
    cohort = class_figures(bank, stores, T0, min_answers=1)
    assert [q.id for q in cohort.questions] == ["np-deny-effects", "np-egress-all-above",
                                                "np-deny-scope"]
    assert all(q.ranked for q in cohort.questions)
    none_enough = class_figures(bank, stores, T0, min_answers=7)
    assert not any(c.ranked for c in none_enough.concepts)


def test_a_topic_lists_its_own_concepts_and_questions(bank: Bank,
                                                      stores: dict[str, Store]) -> None:
    cohort = class_figures(bank, stores, T0, topic="encryption")
    assert [c.id for c in cohort.concepts] == ["mesh-mtls", "wireguard"]
    assert cohort.questions == []  # the class missed no encryption question
    assert len(cohort.learners) == 3 and cohort.answers == 10  # learners: everything


def test_json_keys(bank: Bank, stores: dict[str, Store]) -> None:
    data = class_figures(bank, stores, T0, min_answers=3).to_dict()
    assert set(data) == {"at", "answers_counted", "topic", "min_answers", "ranking", "totals",
                         "learners", "concepts", "questions", "not_in_bank"}
    assert data["totals"] == {"learners": 3, "answers": 10, "correct": 5, "accuracy": 0.5}
    bob = data["learners"][1]
    assert (bob["name"], bob["answers"], bob["correct"], bob["accuracy"]) == ("bob", 3, 1, 1 / 3)
    assert bob["last_answer"] == LAST_ANSWER["bob"].isoformat()
    assert set(bob["readiness"]) == {"predicted", "passes", "pass_mark", "at", "exam_date"}
    assert data["concepts"][0] == {"id": "default-deny", "title": bank.concepts[
        "default-deny"].title, "topic": "network-policies", "answered": 6, "wrong": 4,
        "error_rate": 4 / 6, "learners": 3, "missed_by": 2, "ranked": True}
    assert data["questions"][0]["stem"].startswith(
        " ".join(bank.questions["np-deny-scope"].question.split())[:20])


def test_text_fits_80_columns(bank: Bank, stores: dict[str, Store]) -> None:
    text = format_cohort(class_figures(bank, stores, T0, min_answers=3), tz=UTC)
    assert max(map(len, text.splitlines())) <= 80
    lines = text.splitlines()
    assert lines[0] == "Class: 3 learners, 10 answers, 50% right"
    assert "  bob                    3   33%  " in text
    assert any(line.startswith("   67%  4/6            2 of 3     default-deny  ")
               for line in lines)
    assert "  fewer than 3 answers:" in lines
    scope = lines.index("   50%  2/4            2 of 3     np-deny-scope")
    assert lines[scope + 1] == (
        "        Which pods does a NetworkPolicy with `podSelector: {}` select?")
    assert "Not in this bank: 1 answer (1 wrong) to 1 question" in text


def test_nobody_has_answered(bank: Bank, tmp_path: Path, clock: Clock) -> None:
    empty = Store(make_engine(tmp_path / "empty.db"), now=clock, learner="dana")
    try:
        assert format_cohort(class_figures(bank, learner_stores(empty), T0)) == (
            "No learners in this database yet: nothing to show for the class.")
        empty.update_settings(daily_new_limit=5)  # a learner with settings, no answers
        assert format_cohort(class_figures(bank, learner_stores(empty), T0)) == (
            "No answers yet from the 1 learner in this database: nothing to show for the "
            "class.")
    finally:
        empty.close()
