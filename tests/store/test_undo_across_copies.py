"""Undo with two copies of quiz on one database: taking back one copy's answer keeps the
answers the other copy gave since (the card is rebuilt from the logs that remain)."""

from __future__ import annotations

from pathlib import Path

from quiz.bank import Bank
from quiz.store import Store, make_engine
from tests.conftest import Clock


def _copy(path: str | Path, clock: Clock) -> Store:
    return Store(make_engine(path), now=clock, enable_fuzzing=False)


def test_undoing_my_answer_keeps_the_other_copys_answer(tmp_path: Path, db_target: str,
                                                         bank: Bank, clock: Clock) -> None:
    q = bank.questions["np-deny-scope"]
    a, b = _copy(db_target, clock), _copy(db_target, clock)
    mine = a.start_session("review")
    a.record_answer(q, [0], session_id=mine.id)
    clock.advance(minutes=5)
    theirs = b.record_answer(q, [1], session_id=b.start_session("review").id)

    assert a.undo_last(mine.id) == q.id
    card = a.card(q.id)
    assert card is not None and not card.is_new  # B's answer still counts
    assert [e.id for e in a.logs(question_id=q.id)] == [theirs.log_id]

    # the card is what B's answer alone, on a fresh card, gives
    alone = _copy(tmp_path / "alone.db", clock)
    expected = alone.record_answer(q, [1]).card
    assert card.card.state == expected.card.state and card.card.due == expected.card.due
    assert card.card.stability == expected.card.stability
    assert card.last_answered == clock() and card.first_seen == clock()
    assert card.introduced_at == clock()
    for store in (a, b, alone):
        store.close()


def test_undo_with_no_later_answer_restores_the_state_before_exactly(
        db_target: str, bank: Bank, clock: Clock) -> None:
    q = bank.questions["np-egress-dns"]
    store = _copy(db_target, clock)
    store.record_answer(q, [0])
    before = store.card(q.id)
    clock.advance(days=3)
    session = store.start_session("review")
    store.record_answer(q, [1], session_id=session.id)
    store.undo_last(session.id)
    assert store.card(q.id) == before
    store.close()


def test_undo_keeps_a_later_practice_answer_out_of_the_schedule(
        db_target: str, bank: Bank, clock: Clock) -> None:
    q = bank.questions["np-egress-dns"]
    a, b = _copy(db_target, clock), _copy(db_target, clock)
    mine = a.start_session("review")
    a.record_answer(q, [0], session_id=mine.id)
    clock.advance(minutes=1)
    b.record_answer(q, [0], mode="practice")
    a.undo_last(mine.id)
    card = a.card(q.id)
    assert card is not None and card.is_new and card.last_answered == clock()
    a.close()
    b.close()
