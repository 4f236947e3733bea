"""Learners kept apart in one database: each store is one learner's, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from fsrs import Rating
from sqlalchemy import event

from quiz.bank import Bank
from quiz.learner import BadLearner
from quiz.scheduling import rebuild_cards
from quiz.store import Store
from quiz.store.snapshot import Snapshot, take_snapshot
from tests.conftest import T0, Clock

QID = "np-deny-scope"  # choice 0 is right, 2 is wrong


def test_two_learners_see_only_their_own_answers_cards_and_flags(store: Store,
                                                                  bank: Bank) -> None:
    ana, bo = store.for_learner("ana"), store.for_learner("bo")
    q = bank.questions[QID]
    ana_session = ana.start_session("review")
    ana.record_answer(q, [0], session_id=ana_session.id)
    bo.record_answer(q, [2])
    bo.record_answer(q, [2], mode="practice")
    bo.set_flagged(QID)

    assert [e.correct for e in ana.logs()] == [True]
    assert [e.correct for e in bo.logs()] == [False, False]
    assert ana.answer_counts() == (1, 1) and bo.answer_counts() == (2, 0)
    assert ana.question_tally() == {QID: (1, 1)} and bo.question_tally() == {QID: (2, 0)}
    assert ana.flagged_ids() == set() and bo.flagged_ids() == {QID}
    ana_card, bo_card = ana.card(QID), bo.card(QID)
    assert ana_card is not None and bo_card is not None
    assert (ana_card.flagged, bo_card.flagged) == (False, True)
    assert ana_card.card.stability != bo_card.card.stability  # right vs wrong first answer
    assert [s.id for s in ana.sessions()] == [ana_session.id] and bo.sessions() == []
    assert ana.session(ana_session.id) is not None and bo.session(ana_session.id) is None
    # Undo takes back one's own latest answer, never the other learner's.
    assert bo.undo_last(None) == QID
    assert len(ana.logs()) == 1 and len(bo.logs()) == 1
    # A log id of another learner's answer is not there for this one.
    [ana_log] = ana.logs()
    assert bo.log(ana_log.id) is None
    with pytest.raises(ValueError, match="no answer"):
        bo.regrade(ana_log.id, Rating.Easy)
    assert store.learners() == ["ana", "bo"]


def test_settings_and_exams_are_each_learners_own(store: Store, bank: Bank) -> None:
    ana, bo = store.for_learner("ana"), store.for_learner("bo")
    ana.update_settings(daily_new_limit=3, desired_retention=0.8)
    assert bo.settings().daily_new_limit != 3
    assert ana.for_learner("ana").settings().daily_new_limit == 3  # read back, not cached
    attempt = ana.start_exam([QID], time_limit_s=600)
    ana.save_exam_answer(attempt.id, QID, [0])
    ana.save_exam_flags(attempt.id, [QID])
    ana.save_exam_position(attempt.id, QID)
    assert bo.exams() == [] and bo.exam(attempt.id) is None
    assert bo.exam_position(attempt.id) is None and ana.exam_position(attempt.id) == QID
    from quiz.store import StoreError

    with pytest.raises(StoreError, match="no exam attempt"):
        bo.save_exam_answer(attempt.id, QID, [2])
    with pytest.raises(StoreError, match="no exam attempt"):
        bo.save_exam_flags(attempt.id, [])
    with pytest.raises(StoreError, match="no study session"):
        bo.finish_session(attempt.id, score=0, total=1, per_topic={})
    assert bo.delete_exam(attempt.id) is False
    saved = ana.exam(attempt.id)
    assert saved is not None and saved.answers == {QID: (0,)} and saved.flags == {QID}
    assert ana.delete_exam(attempt.id) is True and ana.exams() == []


def test_learners_lists_everyone_with_any_row_and_a_bad_name_is_refused(store: Store,
                                                                        bank: Bank) -> None:
    assert store.learners() == []
    store.for_learner("zoe").set_flagged(QID)
    store.for_learner("amir").update_settings(daily_new_limit=4)
    store.for_learner("kim").start_session("practice")
    store.for_learner("  lee ").record_answer(bank.questions[QID], [0])  # spaces dropped
    assert store.learners() == ["amir", "kim", "lee", "zoe"]
    assert store.for_learner("lee").learner == "lee"
    for bad in ("", "   ", "a\tb", "x" * 65, "\x1b[2J"):
        with pytest.raises(BadLearner):
            store.for_learner(bad)
    assert store.for_learner("x" * 64).learner == "x" * 64


def _history(store: Store, bank: Bank, clock: Clock) -> None:
    from tests.store.test_snapshot import use

    use(store, bank, clock)
    store.undo_last(None)
    rebuild_cards(store, store.scheduler())
    store.sync_bank(bank)
    store.orphaned_ids(bank)
    store.delete_exam(store.exams()[0].id)
    store.detached_exam_logs()
    store.scheduled_answers()
    store.scheduled_logs()
    store.weekly_tally(T0 - timedelta(days=7), local="+60 minutes")
    store.first_answer_counts()
    store.save_schedules(list(store.cards().values()), expected=store.cards())
    store.set_marks(["np-deny-scope", "enc-mtls-facts"], flagged=True)


# Statements about the per-learner tables that need no learner of their own: the exam
# attempt's insert (its session was just checked to be this learner's).
NEEDS_NO_LEARNER = ("INSERT INTO exam_attempt",)
TABLES = re.compile(r"\b(card|review_log|study_session|exam_attempt|setting)\b")


def test_every_statement_the_store_runs_is_one_learners(store: Store, bank: Bank,
                                                        clock: Clock) -> None:
    """What the one filter is for: no query reads or writes another learner's rows."""
    seen: list[str] = []
    listen = event.listens_for(store.engine, "before_cursor_execute")
    listen(lambda conn, cursor, statement, *rest: seen.append(statement))
    ana = store.for_learner("ana")
    _history(ana, bank, clock)
    ana.learners()  # every learner's names: the one read that is meant to span them
    per_learner = [s for s in seen if TABLES.search(s) and "DISTINCT learner" not in s
                   and not s.startswith(NEEDS_NO_LEARNER)]
    assert len(per_learner) > 40
    assert [s for s in per_learner if "learner" not in s] == []


@pytest.mark.sqlite_only
def test_each_learners_snapshot_reads_what_their_store_reads(store: Store, bank: Bank,
                                                             clock: Clock,
                                                             db_path: Path) -> None:
    from tests.store.test_snapshot import use

    ana, bo = store.for_learner("ana"), store.for_learner("bo")
    use(ana, bank, clock)
    bo.record_answer(bank.questions["enc-mtls-facts"], [1])
    bo.update_settings(daily_new_limit=2)
    now = clock()
    statements: list[str] = []
    for who in (ana, bo):
        snap = take_snapshot(db_path, learner=who.learner, now=clock, enable_fuzzing=False)
        assert isinstance(snap, Snapshot) and snap._conn is not None
        snap._conn.set_trace_callback(statements.append)
        for name, args in (("settings", ()), ("cards", ()), ("card_summaries", ()),
                           ("card", ("np-deny-scope",)), ("due_reviews", (now + timedelta(30),)),
                           ("started_ids", ()), ("suspended_ids", ()), ("flagged_ids", ()),
                           ("answer_counts", ()), ("first_answer_counts", ()),
                           ("answer_times", ()), ("answer_hours", ()),
                           ("logged_question_ids", ()), ("orphaned_ids", (bank,)), ("exams", ()),
                           ("question_tally", ()), ("duration_tally", ()),
                           ("weekly_tally", (T0 - timedelta(days=7),))):
            assert getattr(snap, name)(*args) == getattr(who, name)(*args), (who.learner, name)
        assert snap.in_step_with(bank)
        snap.close()
    assert ana.answer_counts() != bo.answer_counts() and bo.exams() == []
    reads = [s for s in statements if TABLES.search(s) and "max(id)" not in s]
    assert reads and [s for s in reads if "learner" not in s] == []


@pytest.mark.sqlite_only
def test_sqlite_reads_a_period_of_answers_in_order_not_through_the_learner_index(
        store: Store, bank: Bank, clock: Clock, db_path: Path) -> None:
    """A SQLite file is mostly one learner's: a query over a period of answers scans the table
    in order (as before learners) rather than looking every row up through an index that only
    the learner chose; undo's latest answer comes from the (learner, id) index."""
    import sqlite3

    from tests.store.test_snapshot import use

    use(store, bank, clock)
    seen: list[tuple[str, tuple[object, ...]]] = []
    listen = event.listens_for(store.engine, "before_cursor_execute")
    listen(lambda conn, cursor, statement, params, *rest: seen.append((statement, params)))
    since = T0 - timedelta(days=1)
    store.answer_counts(since=since)
    store.answer_times(since=since)
    store.answer_hours(since=since)
    store.scheduled_answers()
    store.logs(since=since)
    reads = [(s, p) for s, p in seen if "FROM review_log" in s]
    assert len(reads) == 5
    with sqlite3.connect(db_path) as conn:
        for statement, params in reads:
            plan = " ".join(str(r[-1]) for r in conn.execute("EXPLAIN QUERY PLAN " + statement,
                                                              params))
            assert "SCAN review_log" in plan and "INDEX" not in plan, (statement, plan)
        plan = " ".join(str(r[-1]) for r in conn.execute(
            "EXPLAIN QUERY PLAN SELECT id FROM review_log WHERE learner = ? "
            "ORDER BY id DESC LIMIT 1", (store.learner,)))
        assert "ix_review_log_learner_id" in plan and "TEMP B-TREE" not in plan, plan
    conn.close()
