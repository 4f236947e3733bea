"""The study session state machine, driven the way the TUI drives it."""

from __future__ import annotations

import random
from datetime import UTC, timedelta

import pytest
from fsrs import Rating

from quiz.bank import Bank
from quiz.scheduling import practice_queue, review_queue
from quiz.session import Showing, StudySession
from quiz.store import Store, TopicResult
from tests.conftest import T0, Clock


def pick(session: StudySession, right: bool) -> Showing:
    """Select the right (or a wrong) answer by displayed position."""
    showing = session.current
    assert showing is not None
    correct = [i for i, bank_i in enumerate(showing.order)
               if bank_i in showing.question.correct_indices]
    wrong = [i for i in range(len(showing.order)) if i not in correct]
    for i in correct if right else wrong[:1]:
        showing = session.select(i)
    return showing


def test_a_whole_review_session(bank: Bank, store: Store, clock: Clock) -> None:
    questions = review_queue(bank, store, T0, tz=UTC)
    session = StudySession(bank, store, "review", questions, random.Random(4), clock)
    plan = {"enc-mtls-mutual": True, "np-deny-scope": False, "enc-mtls-facts": True,
            "np-deny-effects": True, "np-egress-dns": False, "enc-wireguard-scope": True,
            "np-egress-all-above": True}
    seen = []
    while not session.finished:
        showing = session.current
        assert showing is not None and session.phase == "asking"
        assert showing.number == len(seen) + 1 and showing.total == 7
        assert sorted(showing.order) == list(range(len(showing.question.choices)))
        if not showing.question.shuffle:
            assert showing.order == tuple(range(len(showing.order)))
        logged = len(store.logs())
        showing = pick(session, plan[showing.question.id])
        clock.advance(seconds=7)
        feedback = session.submit()
        # Stored first: the log exists by the time there is feedback to draw.
        [entry] = store.logs()[logged:]
        assert (entry.id, entry.correct, entry.duration_ms) == (feedback.log_id,
                                                                feedback.correct, 7000)
        assert entry.picked == tuple(sorted(showing.order[i] for i in showing.selected))
        assert feedback.correct == plan[showing.question.id]
        assert [c.text for c in feedback.choices] == [c.text for c in showing.choices]
        assert [c.picked for c in feedback.choices] == [
            i in showing.selected for i in range(len(showing.order))]
        assert feedback.due is not None and feedback.can_regrade == feedback.correct
        seen.append(showing.question.id)
        if showing.question.id == "enc-wireguard-scope":
            easy = session.regrade(Rating.Easy)
            assert easy.due is not None and easy.due > feedback.due
            assert store.log(feedback.log_id).rating == Rating.Easy  # type: ignore[union-attr]
        if showing.question.id == "np-deny-scope":
            with pytest.raises(ValueError):
                session.regrade(Rating.Easy)
            assert session.flag() is True
        session.advance()

    assert seen == [q.id for q in questions] and session.current is None
    summary = session.summary()
    assert (summary.score, summary.total) == (5, 7)
    assert summary.per_topic == {"encryption": TopicResult(3, 3),
                                 "network-policies": TopicResult(2, 4)}
    assert summary.missed == ("np-deny-scope", "np-egress-dns")
    assert summary.next_due["np-deny-scope"] == T0 + timedelta(seconds=7 * 2, minutes=1)
    assert store.flagged_ids() == {"np-deny-scope"}
    record = store.session(session.id)
    assert record is not None and (record.score, record.total) == (5, 7)
    assert record.finished_at is not None


def test_undo_goes_back_to_the_undone_question(bank: Bank, store: Store, clock: Clock) -> None:
    questions = [bank.questions["np-deny-scope"], bank.questions["enc-mtls-mutual"]]
    session = StudySession(bank, store, "review", questions, random.Random(1), clock)
    first = pick(session, right=False)
    session.submit(1000)
    again = session.undo()  # straight from the feedback
    assert again is not None and again.question.id == "np-deny-scope"
    assert again.order == first.order and again.selected == frozenset()
    assert store.logs() == [] and store.card("np-deny-scope").is_new  # type: ignore[union-attr]

    pick(session, right=True)
    session.submit(1000)
    session.advance()
    pick(session, right=True)
    session.submit(1000)
    session.advance()
    assert session.finished
    back = session.undo()  # after finishing: the last question again
    assert back is not None and back.question.id == "enc-mtls-mutual"
    assert not session.finished and len(store.logs()) == 1
    assert session.undo() is not None and session.undo() is None  # nothing left
    assert store.logs() == []


def test_a_practice_session_logs_but_does_not_schedule(bank: Bank, store: Store) -> None:
    questions = practice_queue(bank, topic="encryption", rng=random.Random(2))
    session = StudySession(bank, store, "practice", questions, random.Random(2), topic="encryption")
    while not session.finished:
        pick(session, right=True)
        feedback = session.submit(500)
        assert feedback.due is None and not feedback.can_regrade
        session.advance()
    assert [e.mode for e in store.logs()] == ["practice"] * 3
    assert store.started_ids() == set()
    assert session.summary().next_due == {}
    assert store.session(session.id).topic == "encryption"  # type: ignore[union-attr]


def test_selection_rules_and_wrong_moves(bank: Bank, store: Store) -> None:
    multi = bank.questions["np-deny-effects"]
    session = StudySession(bank, store, "review", [multi], random.Random(3))
    with pytest.raises(ValueError, match="pick"):
        session.submit()
    with pytest.raises(RuntimeError):
        session.advance()
    session.select(0)
    session.select(1)
    assert session.current.selected == {0, 1}  # type: ignore[union-attr]
    session.toggle(0)
    assert session.current.selected == {1}  # type: ignore[union-attr]
    assert session.current.picks_needed == 2  # type: ignore[union-attr]
    with pytest.raises(IndexError):
        session.select(3)
    session.submit()
    with pytest.raises(RuntimeError):
        session.select(0)

    single = StudySession(bank, store, "review", [bank.questions["np-deny-scope"]])
    single.select(0)
    single.select(2)
    assert single.current.selected == {2}  # type: ignore[union-attr]


def test_shuffles_are_seeded_and_an_empty_session_is_finished(
        bank: Bank, store: Store) -> None:
    questions = list(bank.questions.values())
    orders = [[StudySession(bank, store, "practice", [q], random.Random(9)).current.order
               for q in questions] for _ in range(2)]  # type: ignore[union-attr]
    assert orders[0] == orders[1]
    assert any(order != tuple(range(len(order))) for order in orders[0])
    empty = StudySession(bank, store, "review", [])
    assert empty.finished and empty.summary().total == 0
