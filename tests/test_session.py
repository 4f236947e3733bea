"""The study session state machine, driven the way the TUI drives it."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, timedelta

import pytest
from fsrs import Rating, State

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
    session = StudySession(bank, store, "review", questions, random.Random(4), clock, tz=UTC)
    plan = {"enc-mtls-mutual": True, "np-deny-scope": False, "enc-mtls-facts": True,
            "np-deny-effects": True, "np-egress-dns": False, "enc-wireguard-scope": True,
            "np-egress-all-above": True}
    seen, again = [], []
    while not session.finished:
        showing = session.current
        assert showing is not None and session.phase == "asking"
        assert sorted(showing.order) == list(range(len(showing.question.choices)))
        if not showing.question.shuffle:
            assert showing.order == tuple(range(len(showing.order)))
        if showing.again:  # the learning steps: every re-showing answered right
            assert len(seen) == 7 and showing.left == 0 and showing.relearning >= 1
            again.append(showing.question.id)
            pick(session, right=True)
            clock.advance(seconds=7)
            assert session.submit().again
            session.advance()
            continue
        assert showing.number == len(seen) + 1 and showing.total == 7
        assert showing.left == 7 - len(seen)
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
        # A new card: Again is 1 minute, Good 10 minutes (its learning steps), both today.
        step = timedelta(minutes=10 if feedback.correct else 1)
        assert feedback.back_in_session == clock() + step
        seen.append(showing.question.id)
        if showing.question.id == "enc-wireguard-scope":
            easy = session.regrade(Rating.Easy)
            assert easy.due is not None and easy.due > feedback.due
            assert easy.back_in_session is None  # graduated at once: not asked again today
            assert store.log(feedback.log_id).rating == Rating.Easy  # type: ignore[union-attr]
        if showing.question.id == "np-deny-scope":
            with pytest.raises(ValueError):
                session.regrade(Rating.Easy)
            assert session.flag() is True
        session.advance()

    assert seen == [q.id for q in questions] and session.current is None
    # Missed ones first (due soonest), then the rest; a miss needs two right answers (1 minute,
    # then 10) before it leaves its steps, a right new card one more.
    assert again[:2] == ["np-deny-scope", "np-egress-dns"]
    assert sorted(again) == sorted([*(q for q in plan if q != "enc-wireguard-scope"),
                                    "np-deny-scope", "np-egress-dns"])
    assert all(store.card(q).state == State.Review for q in plan)  # type: ignore[union-attr]
    summary = session.summary()
    assert (summary.score, summary.total, summary.final, summary.answers) == (5, 7, 7, 15)
    assert summary.per_topic == {"encryption": TopicResult(3, 3),
                                 "network-policies": TopicResult(2, 4)}
    assert summary.missed == ("np-deny-scope", "np-egress-dns")
    assert store.flagged_ids() == {"np-deny-scope"}
    record = store.session(session.id)
    assert record is not None and (record.score, record.total) == (5, 7)
    assert record.finished_at is not None


def test_undo_goes_back_to_the_undone_question(bank: Bank, store: Store, clock: Clock) -> None:
    questions = [bank.questions["np-deny-scope"], bank.questions["enc-mtls-mutual"]]
    session = StudySession(bank, store, "review", questions, random.Random(1), clock, tz=UTC)
    first = pick(session, right=False)
    session.submit(1000)
    again = session.undo()  # straight from the feedback
    assert again is not None and again.question.id == "np-deny-scope"
    assert again.order == first.order and again.selected == frozenset()
    assert store.logs() == [] and store.card("np-deny-scope").is_new  # type: ignore[union-attr]

    pick(session, right=True)
    session.submit(1000)
    session.regrade(Rating.Easy)  # out of its steps at once
    session.advance()
    pick(session, right=True)
    session.submit(1000)
    session.regrade(Rating.Easy)
    session.advance()
    assert session.finished
    back = session.undo()  # after finishing: the last question again
    assert back is not None and back.question.id == "enc-mtls-mutual"
    assert not session.finished and len(store.logs()) == 1
    assert session.undo() is not None and session.undo() is None  # nothing left
    assert store.logs() == []


def test_undo_across_a_question_asked_again(bank: Bank, store: Store, clock: Clock) -> None:
    questions = [bank.questions["np-deny-scope"], bank.questions["enc-mtls-mutual"]]
    session = StudySession(bank, store, "review", questions, random.Random(1), clock, tz=UTC)
    pick(session, right=False)
    session.submit(1000)  # missed: back in a minute
    second = session.advance()
    assert second is not None and second.question.id == "enc-mtls-mutual"
    assert (second.left, second.relearning, second.again) == (1, 1, False)
    pick(session, right=True)
    session.submit(1000)
    session.regrade(Rating.Easy)
    clock.advance(minutes=2)
    back = session.advance()
    assert back is not None and back.question.id == "np-deny-scope" and back.again
    assert (back.left, back.relearning) == (0, 1)
    pick(session, right=True)
    feedback = session.submit(1000)
    assert feedback.again and feedback.back_in_session == clock() + timedelta(minutes=10)
    # Undo the re-showing's answer: the same re-showing, the card back where the miss put it.
    assert session.undo() == replace(back, selected=frozenset())
    card = store.card("np-deny-scope")
    assert card is not None and card.card.step == 0 and len(store.logs()) == 2
    # Undo twice more (the right answer, then the miss): the miss no longer queues it.
    assert session.undo().question.id == "enc-mtls-mutual"  # type: ignore[union-attr]
    first = session.undo()
    assert first is not None and first.question.id == "np-deny-scope" and not first.again
    assert store.logs() == []
    pick(session, right=True)
    session.submit(1000)
    session.regrade(Rating.Easy)
    session.advance()
    pick(session, right=True)
    session.submit(1000)
    session.regrade(Rating.Easy)
    assert session.advance() is None and session.finished
    summary = session.summary()
    assert (summary.score, summary.final, summary.total, summary.answers) == (2, 2, 2, 2)


def test_a_missed_question_right_on_its_return_counts_in_final_only(
        bank: Bank, store: Store, clock: Clock) -> None:
    questions = [bank.questions["np-deny-scope"], bank.questions["enc-mtls-mutual"]]
    session = StudySession(bank, store, "review", questions, random.Random(1), clock, tz=UTC)
    pick(session, right=False)
    session.submit(1000)
    session.advance()
    pick(session, right=True)
    session.submit(1000)
    session.regrade(Rating.Easy)
    # Nothing else left: the step due in a minute is shown early (Anki's learn-ahead).
    back = session.advance()
    assert back is not None and back.again and back.question.id == "np-deny-scope"
    pick(session, right=True)
    session.submit(1000)
    session.regrade(Rating.Easy)
    assert session.advance() is None
    summary = session.summary()
    assert (summary.score, summary.final, summary.total) == (1, 2, 2)
    assert summary.missed == ("np-deny-scope",)
    assert summary.per_topic["network-policies"] == TopicResult(0, 1)


def test_never_the_same_question_twice_in_a_row_while_another_is_left(
        bank: Bank, store: Store, clock: Clock) -> None:
    questions = [bank.questions["np-deny-scope"], bank.questions["enc-mtls-mutual"],
                 bank.questions["enc-mtls-facts"]]
    session = StudySession(bank, store, "review", questions, random.Random(1), clock, tz=UTC)
    pick(session, right=False)
    session.submit(1000)
    clock.advance(minutes=5)  # its step is due, but it was just shown: a planned one first
    assert session.advance().question.id == "enc-mtls-mutual"  # type: ignore[union-attr]
    pick(session, right=True)
    session.submit(1000)
    session.regrade(Rating.Easy)
    # Due re-showings come before the planned questions.
    assert session.advance().question.id == "np-deny-scope"  # type: ignore[union-attr]
    pick(session, right=False)
    session.submit(1000)
    clock.advance(minutes=5)
    assert session.advance().question.id == "enc-mtls-facts"  # type: ignore[union-attr]
    pick(session, right=True)
    session.submit(1000)
    session.regrade(Rating.Easy)
    # Only the missed one left: shown again, twice in a row as nothing else is.
    assert session.advance().question.id == "np-deny-scope"  # type: ignore[union-attr]
    pick(session, right=False)
    session.submit(1000)
    assert session.advance().question.id == "np-deny-scope"  # type: ignore[union-attr]


def test_a_step_due_after_today_waits_for_a_later_review(
        bank: Bank, store: Store, clock: Clock) -> None:
    clock.value = T0.replace(hour=23, minute=55)
    question = bank.questions["np-deny-scope"]
    session = StudySession(bank, store, "review", [question], random.Random(1), clock, tz=UTC)
    pick(session, right=True)
    feedback = session.submit(1000)  # Good on a new card: 10 minutes, past midnight
    assert feedback.back_in_session is None
    assert session.advance() is None and session.finished
    assert session.summary().next_due == {question.id: clock() + timedelta(minutes=10)}


def test_practice_asks_a_missed_question_once_more_at_the_end(bank: Bank, store: Store) -> None:
    questions = [bank.questions["np-deny-scope"], bank.questions["enc-mtls-mutual"]]
    session = StudySession(bank, store, "practice", questions, random.Random(1))
    pick(session, right=False)
    assert session.submit(500).back_in_session is not None
    assert session.advance().question.id == "enc-mtls-mutual"  # type: ignore[union-attr]
    pick(session, right=True)
    session.submit(500)
    back = session.advance()
    assert back is not None and back.again and back.question.id == "np-deny-scope"
    pick(session, right=False)
    assert session.submit(500).back_in_session is None  # once only
    assert session.advance() is None
    summary = session.summary()
    assert (summary.score, summary.final, summary.total, summary.answers) == (1, 1, 2, 3)
    assert store.started_ids() == set()


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


def test_each_grade_schedules_what_the_feedback_said_it_would(
        bank: Bank, store: Store, clock: Clock) -> None:
    question = bank.questions["enc-mtls-mutual"]
    session = StudySession(bank, store, "review", [question], random.Random(1), clock, tz=UTC)
    pick(session, right=True)
    session.submit(1000)
    session.regrade(Rating.Easy)
    assert session.advance() is None  # graduated: a review card, due in days
    clock.advance(days=5)
    session = StudySession(bank, store, "review", [question], random.Random(1), clock, tz=UTC)
    pick(session, right=True)
    feedback = session.submit(1000)
    dues = feedback.grade_dues
    assert set(dues) == {Rating.Hard, Rating.Good, Rating.Easy}
    assert clock() < dues[Rating.Hard] < dues[Rating.Good] < dues[Rating.Easy]
    assert dues[Rating.Good] == feedback.due
    for rating in (Rating.Hard, Rating.Easy, Rating.Good):
        assert session.regrade(rating).due == dues[rating]
        assert store.card(question.id).due == dues[rating]  # type: ignore[union-attr]
    wrong = StudySession(bank, store, "review", [bank.questions["np-deny-scope"]],
                         random.Random(1), clock, tz=UTC)
    pick(wrong, right=False)
    assert wrong.submit(1000).grade_dues == {}  # a miss has one grade: Again


def test_an_edited_bank_is_used_from_the_next_showing_on(
        bank: Bank, store: Store, clock: Clock) -> None:
    first, second = bank.questions["np-deny-scope"], bank.questions["enc-mtls-mutual"]
    session = StudySession(bank, store, "practice", [first, second], random.Random(1), clock)
    on_screen = session.current
    reworded = replace(bank, questions={**bank.questions,
                                        first.id: replace(first, question="Reworded?"),
                                        second.id: replace(second, question="Also reworded?")})
    assert session.use_bank(reworded) is False  # same answer key: the question stays as shown
    assert session.current == on_screen
    pick(session, right=False)
    session.submit(500)
    assert session.advance().question.question == "Also reworded?"  # type: ignore[union-attr]
    pick(session, right=True)
    session.submit(500)
    assert session.advance().question.question == "Reworded?"  # type: ignore[union-attr]
    # A new answer key for the question being asked: it is shown again, as edited.
    flipped = tuple(replace(c, correct=not c.correct) for c in first.choices)
    rekeyed = replace(reworded, questions={**reworded.questions,
                                           first.id: replace(first, choices=list(flipped))})
    assert session.use_bank(rekeyed) is True
    assert session.current.question.choices == list(flipped)  # type: ignore[union-attr]
    assert session.current.again and session.current.selected == frozenset()  # type: ignore[union-attr]
