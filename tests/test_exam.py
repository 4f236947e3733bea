"""Mock exams: the weighted draw, a timed attempt, resuming it, and what it does to the schedule."""

from __future__ import annotations

import random
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from fsrs import Card, ReviewLog, State

from quiz.bank import Bank, Choice, Question, Topic
from quiz.exam import (
    KCSA,
    ExamClosed,
    ExamFormat,
    ExamRun,
    apportion,
    draw_exam,
    finish_expired,
    unfinished_exam,
)
from quiz.scheduling import make_scheduler, rebuild_cards
from quiz.store import Store, TopicResult, make_engine
from tests.conftest import T0, Clock

# The bundled bank's topic weights (they add up to 100).
KCSA_WEIGHTS = {"isolation": 22.0, "network-policies": 16.0, "pod-networking": 12.0,
                "services-dns": 12.0, "cni": 10.0, "encryption": 10.0,
                "external-access": 10.0, "monitoring": 8.0}


def synthetic_bank(sizes: dict[str, tuple[float, int]]) -> Bank:
    """A bank of ``count`` two-choice questions per topic, each topic with its weight."""
    bank = Bank(roots=())
    for topic, (weight, count) in sizes.items():
        bank.topics[topic] = Topic(id=topic, title=topic, weight=weight)
        for n in range(count):
            q = Question(id=f"{topic}-{n}", concepts=[f"{topic}-c{n % 3}"], topic=topic,
                         question=f"{topic} question {n}?", explanation="because",
                         choices=[Choice(text="yes", correct=True), Choice(text="no")])
            bank.questions[q.id] = q
    return bank


def answer(run: ExamRun, right: bool) -> None:
    """Pick the right (or a wrong) answer to the current question, by displayed position."""
    showing = run.current
    correct = [pos for pos, i in enumerate(showing.order) if i in showing.question.correct_indices]
    wrong = [pos for pos in range(len(showing.order)) if pos not in correct]
    for pos in correct if right else wrong[:1]:
        run.select(pos)


# --- the draw --------------------------------------------------------------------------------

def test_sixty_questions_are_apportioned_by_weight_with_largest_remainders() -> None:
    counts = apportion(KCSA_WEIGHTS, 60, {t: 50 for t in KCSA_WEIGHTS})
    # quotas 13.2, 9.6, 7.2, 7.2, 6, 6, 6, 4.8: the two largest remainders (.8, .6) round up
    assert counts == {"isolation": 13, "network-policies": 10, "pod-networking": 7,
                      "services-dns": 7, "cni": 6, "encryption": 6, "external-access": 6,
                      "monitoring": 5}
    assert sum(counts.values()) == 60
    # equal weights and remainders: the earlier topic gets the extra question
    assert apportion({"a": 1, "b": 1, "c": 1}, 4, {"a": 9, "b": 9, "c": 9}) == \
        {"a": 2, "b": 1, "c": 1}


def test_a_thin_topic_gives_all_it_has_and_the_shortfall_goes_to_the_others() -> None:
    # a's share (2/4 of 10 = 5) exceeds its 2 questions: the 3 missing go to b and c by weight
    assert apportion({"a": 2, "b": 1, "c": 1}, 10, {"a": 2, "b": 10, "c": 10}) == \
        {"a": 2, "b": 4, "c": 4}
    # the redistribution can cap a second topic in turn
    assert apportion({"a": 4, "b": 2, "c": 1}, 10, {"a": 1, "b": 2, "c": 30}) == \
        {"a": 1, "b": 2, "c": 7}
    assert apportion({"a": 1, "b": 1}, 10, {"a": 0, "b": 3}) == {"a": 0, "b": 3}


def test_the_draw_follows_the_weights_without_repeats_and_is_seeded() -> None:
    bank = synthetic_bank({t: (w, 20) for t, w in KCSA_WEIGHTS.items()})
    draw = draw_exam(bank, 60, random.Random(7))
    ids = [q.id for q in draw.questions]
    assert (len(ids), len(set(ids)), draw.requested, draw.note) == (60, 60, 60, None)
    per_topic = Counter(q.topic for q in draw.questions)
    assert per_topic == apportion(KCSA_WEIGHTS, 60, {t: 20 for t in KCSA_WEIGHTS})
    assert [q.id for q in draw_exam(bank, 60, random.Random(7)).questions] == ids
    assert [q.id for q in draw_exam(bank, 60, random.Random(8)).questions] != ids
    # questions of a topic are not all bunched together
    assert len({q.topic for q in draw.questions[:10]}) > 2


def test_a_bank_smaller_than_the_exam_is_used_whole_and_the_draw_says_so(bank: Bank) -> None:
    draw = draw_exam(bank, KCSA.questions, random.Random(1))
    assert sorted(q.id for q in draw.questions) == sorted(bank.questions)
    assert draw.requested == 60
    assert draw.note is not None and "7 questions" in draw.note and "60" in draw.note
    only = draw_exam(bank, 60, random.Random(1), topics=["encryption"])
    assert {q.topic for q in only.questions} == {"encryption"} and len(only.questions) == 3
    assert only.note is not None and "chosen topics" in only.note


def test_an_exam_format_refuses_nonsense() -> None:
    with pytest.raises(ValueError, match="pass mark"):
        ExamFormat(pass_mark=75)
    with pytest.raises(ValueError, match="time limit"):
        ExamFormat(time_limit=timedelta(0))


# --- a whole attempt -------------------------------------------------------------------------

PLAN = {"enc-mtls-mutual": True, "enc-mtls-facts": True, "enc-wireguard-scope": False,
        "np-deny-scope": True, "np-deny-effects": True, "np-egress-dns": True,
        "np-egress-all-above": False}


def test_an_exam_answered_in_full(bank: Bank, store: Store, clock: Clock) -> None:
    questions = draw_exam(bank, 7, random.Random(3)).questions
    run = ExamRun.start(bank, store, questions, clock)
    assert [q.id for q in run.questions] == [q.id for q in questions]
    assert run.remaining() == timedelta(minutes=90) and not run.warning
    assert run.unanswered_count == 7
    for i in range(7):
        assert run.index == i and run.current.number == i + 1 and run.current.total == 7
        answer(run, PLAN[run.current.question.id])
        # stored as it is given: a crash now would lose nothing
        stored = store.exam(run.attempt.id)
        assert stored is not None and len(stored.answers) == i + 1
        clock.advance(minutes=5)
        run.next()
    assert run.index == 6  # next() stays on the last question
    assert run.unanswered_count == 0
    assert all(item.status == "answered" for item in run.jump_list())

    result = run.submit()
    assert (result.score, result.total) == (5, 7)
    assert result.percent == pytest.approx(100 * 5 / 7) and not result.passed
    assert result.per_topic == {"encryption": TopicResult(2, 3),
                                "network-policies": TopicResult(3, 4)}
    assert result.time_used == timedelta(minutes=35)
    assert {q.id for q in result.missed} == {"enc-wireguard-scope", "np-egress-all-above"}
    assert run.submit() is result  # handing in twice changes nothing
    done = store.exam(run.attempt.id)
    assert done is not None and done.session.finished_at == T0 + timedelta(minutes=35)
    assert (done.session.score, done.session.total, done.passed) == (5, 7, False)
    assert done.session.per_topic == result.per_topic
    logs = store.logs(session_id=run.attempt.id)
    assert len(logs) == 7 and {e.mode for e in logs} == {"exam"}
    assert {e.question_id for e in logs if not e.correct} == \
        {"enc-wireguard-scope", "np-egress-all-above"}
    with pytest.raises(ExamClosed):
        run.select(0)
    assert unfinished_exam(store, clock()) is None


def test_multi_answer_picks_toggle_and_flags_show_in_the_jump_list(
        bank: Bank, store: Store, clock: Clock) -> None:
    multi = bank.questions["enc-mtls-facts"]
    run = ExamRun.start(bank, store, [bank.questions["np-deny-scope"], multi], clock)
    assert run.flag() is True and run.jump_list()[0].status == "flagged"
    run.select(0)
    run.select(1)  # single answer: replaces the pick
    assert run.current.selected == {1}
    run.goto(1)
    run.select(0)
    run.select(2)
    assert run.current.selected == {0, 2}
    run.select(0)  # multi: toggles off
    assert run.current.selected == {2}
    run.select(2)  # nothing picked again: unanswered, and stored so
    stored = store.exam(run.attempt.id)
    assert stored is not None and stored.answers[multi.id] == ()
    assert [item.status for item in run.jump_list()] == ["flagged", "unanswered"]
    assert run.flag(0) is False and run.jump_list()[0].status == "answered"
    assert run.prev().number == 1 and run.prev().number == 1
    with pytest.raises(IndexError):
        run.goto(2)


def test_choice_order_is_shuffled_unless_turned_off(bank: Bank, store: Store,
                                                    clock: Clock) -> None:
    questions = list(bank.questions.values())
    shuffled = ExamRun.start(bank, store, questions, clock)
    orders = []
    for i, q in enumerate(questions):
        order = shuffled.goto(i).order
        assert sorted(order) == list(range(len(q.choices)))
        if not q.shuffle:
            assert order == tuple(range(len(q.choices)))
        orders.append(order)
    assert any(o != tuple(sorted(o)) for o in orders)
    plain = ExamRun.start(bank, store, questions, clock, shuffle=False)
    assert all(plain.goto(i).order == tuple(range(len(q.choices)))
               for i, q in enumerate(questions))


def test_an_exam_that_times_out(bank: Bank, store: Store, clock: Clock) -> None:
    fmt = ExamFormat(questions=7, time_limit=timedelta(minutes=20), pass_mark=0.5)
    run = ExamRun.start(bank, store, draw_exam(bank, 7, random.Random(2)).questions, clock, fmt)
    for _ in range(3):
        answer(run, right=True)
        run.next()
    clock.advance(minutes=17)
    assert run.remaining() == timedelta(minutes=3) and not run.warning
    clock.advance(minutes=1)
    assert run.warning and not run.expired  # 2 minutes = 10% of 20
    clock.advance(minutes=30)
    assert run.expired and run.remaining() == timedelta(0)
    with pytest.raises(ExamClosed, match="time is up"):
        answer(run, right=True)

    result = run.submit()  # what the UI does when the clock runs out
    assert (result.score, result.total, result.passed) == (3, 7, False)  # 4 unanswered: wrong
    assert result.time_used == timedelta(minutes=20)  # never more than the limit
    assert sum(r.total for r in result.per_topic.values()) == 7
    assert [a.picked for a in result.answers][3:] == [()] * 4
    # unanswered questions are not logged: there is no answer to log
    assert len(store.logs(session_id=run.attempt.id)) == 3


# --- resuming --------------------------------------------------------------------------------

def test_resume_after_a_crash_keeps_paper_order_answers_and_the_clock(
        bank: Bank, store: Store, clock: Clock, db_path: Path) -> None:
    run = ExamRun.start(bank, store, draw_exam(bank, 7, random.Random(5)).questions, clock)
    for right in (True, False, True):
        answer(run, right)
        run.next()
    run.flag(1)
    run.flag(5)
    before = [(run.goto(i).question.id, run.current.order, run.current.selected)
              for i in range(7)]
    clock.advance(minutes=30)
    del run  # the app is killed; time passes while it is closed
    clock.advance(minutes=10)

    reopened = Store(make_engine(db_path), now=clock, enable_fuzzing=False)
    try:
        pending = unfinished_exam(reopened, clock())
        assert pending is not None and not pending.expired
        assert pending.remaining == timedelta(minutes=50)  # wall clock from the start
        again = ExamRun.resume(bank, reopened, pending.attempt, clock)
        assert again.remaining() == timedelta(minutes=50)
        assert [(again.goto(i).question.id, again.current.order, again.current.selected)
                for i in range(7)] == before
        assert again.unanswered_count == 4
        assert [item.flagged for item in again.jump_list()] == [
            i in (1, 5) for i in range(7)]  # flags survive the crash too
        result = again.submit()
        assert (result.score, result.total) == (2, 7)
        assert result.time_used == timedelta(minutes=40)
        assert unfinished_exam(reopened, clock()) is None
    finally:
        reopened.close()


def test_an_attempt_whose_time_ran_out_while_closed_is_finished_as_it_stood(
        bank: Bank, store: Store, clock: Clock) -> None:
    run = ExamRun.start(bank, store, list(bank.questions.values()), clock)
    answer(run, right=True)
    clock.advance(hours=3)
    pending = unfinished_exam(store, clock())
    assert pending is not None and pending.expired and pending.remaining == timedelta(0)
    result = finish_expired(bank, store, pending.attempt, clock)
    assert (result.score, result.total) == (1, 7)
    assert result.time_used == KCSA.time_limit
    assert unfinished_exam(store, clock()) is None
    with pytest.raises(ValueError, match="handed in"):
        ExamRun.resume(bank, store, pending.attempt, clock)


def test_a_hand_in_interrupted_halfway_completes_without_logging_twice(
        bank: Bank, store: Store, clock: Clock, monkeypatch: pytest.MonkeyPatch) -> None:
    run = ExamRun.start(bank, store, list(bank.questions.values()), clock)
    for _ in range(7):
        answer(run, right=True)
        run.next()

    def crash(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    with monkeypatch.context() as m:
        m.setattr(store, "finish_session", crash)
        with pytest.raises(KeyboardInterrupt):
            run.submit()
    assert len(store.logs(session_id=run.attempt.id)) == 7
    due_after_first_try = {q: c.due for q, c in store.cards().items()}

    pending = unfinished_exam(store, clock())
    assert pending is not None
    result = ExamRun.resume(bank, store, pending.attempt, clock).submit()
    assert result.score == 7
    assert len(store.logs(session_id=run.attempt.id)) == 7
    # and the schedule was fed once, not twice
    assert {q: c.due for q, c in store.cards().items()} == due_after_first_try


# --- the schedule ----------------------------------------------------------------------------

def test_exam_answers_feed_the_schedule_a_miss_is_a_lapse(bank: Bank, store: Store,
                                                          clock: Clock) -> None:
    known, fresh = bank.questions["np-deny-scope"], bank.questions["enc-mtls-mutual"]
    for _ in range(3):  # learnt in review mode until it is in Review
        store.record_answer(known, known.correct_indices)
        clock.advance(days=10)
    learnt = store.card(known.id)
    assert learnt is not None and learnt.state == State.Review

    run = ExamRun.start(bank, store, [known, fresh], clock)
    answer(run, right=False)
    run.next()
    answer(run, right=True)
    run.submit()

    missed, right = store.card(known.id), store.card(fresh.id)
    assert missed is not None and right is not None
    assert missed.state == State.Relearning  # a lapse: it comes back soon
    assert missed.card.last_review == clock() and missed.due < clock() + timedelta(days=1)
    assert missed.card.stability < learnt.card.stability  # type: ignore[operator]
    assert not right.is_new and right.card.last_review == clock()  # started by the exam
    assert right.due > clock()


def test_an_exam_can_leave_the_schedule_alone(bank: Bank, store: Store, clock: Clock) -> None:
    run = ExamRun.start(bank, store, list(bank.questions.values()), clock, feed_schedule=False)
    answer(run, right=True)
    run.submit()
    assert store.started_ids() == set()
    assert len(store.logs(session_id=run.attempt.id)) == 1


def test_rebuilding_the_cards_replays_the_exam_answers_they_were_fed(
        bank: Bank, store: Store, clock: Clock) -> None:
    questions = list(bank.questions.values())
    store.record_answer(questions[0], sorted(questions[0].correct_indices))  # a review first
    clock.advance(days=2)
    run = ExamRun.start(bank, store, questions[:3], clock)
    for right in (True, False, True):
        answer(run, right)
        run.next()
    clock.advance(minutes=30)
    run.submit()
    clock.advance(days=1)
    store.record_answer(questions[1], sorted(questions[1].correct_indices))  # and after
    fed = store.cards()
    assert all(not fed[q.id].is_new for q in questions[:3])
    # The same scheduler rebuilds exactly what the answers and the exam's feed made.
    assert rebuild_cards(store, make_scheduler(enable_fuzzing=False)) == 0
    assert store.cards() == fed
    # A new retention: each card is replayed from its review and exam answers, in time order.
    lenient = make_scheduler(0.8, enable_fuzzing=False)
    rebuild_cards(store, lenient)
    first = fed[questions[0].id]
    logs = [ReviewLog(first.card.card_id, e.rating, e.answered_at, None)
            for e in store.logs(question_id=questions[0].id)]
    assert [e.mode for e in store.logs(question_id=questions[0].id)] == ["review", "exam"]
    expected = lenient.reschedule_card(Card(card_id=first.card.card_id, due=first.due), logs)
    assert store.cards()[questions[0].id].card == expected


def test_a_resumed_attempt_opens_where_it_was_left_or_after_the_last_answer(
        bank: Bank, store: Store, clock: Clock) -> None:
    run = ExamRun.start(bank, store, draw_exam(bank, 5, random.Random(3)).questions, clock)
    answer(run, True)  # answered, not moved on: it opens there
    assert ExamRun.resume(bank, store, run.attempt, clock).index == 0
    run.goto(3)
    run.goto(2)  # left while looking at the third question
    again = ExamRun.resume(bank, store, run.attempt, clock)
    assert again.index == 2 and again.current.number == 3
    # Stored without a position (an attempt from before positions were kept): the first
    # unanswered question after the last answered one.
    store.save_exam_position(run.attempt.id, None)
    again.goto(1)
    answer(again, True)
    store.save_exam_position(run.attempt.id, None)
    assert ExamRun.resume(bank, store, run.attempt, clock).index == 2
    # Handed in: the position is forgotten with the attempt's open state.
    again.goto(4)
    again.submit()
    assert store.exam_position(run.attempt.id) is None


def test_a_deleted_attempt_leaves_history_and_scores_but_not_what_it_taught(
        bank: Bank, store: Store, clock: Clock) -> None:
    questions = list(bank.questions.values())
    run = ExamRun.start(bank, store, questions[:3], clock)
    for right in (True, False, True):
        answer(run, right)
        run.next()
    clock.advance(minutes=30)
    run.submit()
    fed = store.cards()
    logged = store.logs()
    assert store.delete_exam(run.attempt.id) and not store.delete_exam(run.attempt.id)
    assert store.exams() == [] and store.sessions(mode="exam") == []
    assert [e.id for e in store.logs()] == [e.id for e in logged]  # answers stay, detached
    assert {e.session_id for e in store.logs()} == {None}
    # A rebuild still replays them: the schedule is what it was.
    assert rebuild_cards(store, make_scheduler(enable_fuzzing=False)) == 0
    assert store.cards() == fed
