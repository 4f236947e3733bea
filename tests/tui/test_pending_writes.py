"""Starts that write at once, from the snapshot too: ``quiz add`` (its form needs no store),
an exam date set (the cap is worked out from the snapshot, shown on the first screen, saved
once the store opens), ``quiz --exam-date`` (shown at once, saved once open) and ``quiz exam``
(its attempt shown at once, saved once open; an answer given meanwhile waits for it). Every write
still goes to the real store; a store that fails then ends the app with one line, exit 2."""

from __future__ import annotations

import asyncio
import random
import shutil
import threading
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from textual.pilot import Pilot

from quiz.bank import Bank
from quiz.exam import ExamFormat
from quiz.readiness import apply_exam_date_cap
from quiz.scheduling import review_queue
from quiz.startup import Options
from quiz.store import Store, StoreError, open_store
from quiz.store.pending import PendingStore, pending_store
from quiz.tui.app import make_app
from quiz.tui.run import open_for_app
from quiz.tui.screens.exam import ExamScreen
from quiz.tui.screens.home import HomeScreen
from quiz.tui.screens.question import QuestionScreen
from quiz.tui.screens.question_form import QuestionFormScreen
from tests.conftest import T0, Clock
from tests.tui.conftest import SIZE, keys_for, screen_text

EXAM = (T0 + timedelta(days=2)).date()  # today is the 10th: the 10th and 11th are left


async def until_ready(store: PendingStore) -> None:
    for _ in range(1000):
        if store.ready:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the store never opened")


def late_cards(store: Store, bank: Bank, clock: Clock) -> list[str]:
    """Two reviewed cards due after the exam's eve, one due before it; returns the late."""
    ids = sorted(bank.questions)[:3]
    clock.value = T0 - timedelta(days=1)
    for qid in ids:
        store.record_answer(bank.questions[qid], sorted(bank.questions[qid].correct_indices))
    cards = store.cards()
    dues = {q: T0 + timedelta(days=10 + n) for n, q in enumerate(ids)}
    dues[ids[-1]] = T0 + timedelta(hours=6)  # before the eve: stays
    store.save_schedules(replace(cards[q], card=replace(cards[q].card, due=d))
                         for q, d in dues.items())
    store.update_settings(exam_date=EXAM)
    clock.value = T0
    return ids[:2]


async def test_the_exam_date_cap_is_on_the_first_screen_and_saved_once_open(
        tmp_path: Path, bank: Bank, store: Store, db_path: Path, clock: Clock) -> None:
    late = late_cards(store, bank, clock)
    store.close()
    reference = tmp_path / "reference.db"
    shutil.copyfile(db_path, reference)
    expected = open_store(reference, now=clock, enable_fuzzing=False)
    assert apply_exam_date_cap(expected, EXAM, T0) == 2
    queue = review_queue(bank, expected, T0)
    assert late[0] in {q.id for q in queue}  # brought forward to today

    pending = pending_store(db_path, bank, now=clock, enable_fuzzing=False)
    assert pending is not None
    app = make_app(bank, pending, now=clock, start="review")
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, QuestionScreen)
        assert f"{len(queue)} left" in screen_text(app)  # the moved card counted already
        assert {q.id for q in app.screen.session.questions} == {q.id for q in queue}
        await until_ready(pending)
        await pilot.pause()
        assert "2 reviews brought forward" in " ".join(
            str(n.message) for n in app._notifications)
    pending.close()
    saved = open_store(db_path, now=clock, enable_fuzzing=False)
    assert {q: c.due for q, c in saved.cards().items()} == \
        {q: c.due for q, c in expected.cards().items()}
    assert apply_exam_date_cap(saved, EXAM, T0) == 0  # nothing left to move
    saved.close()
    expected.close()


async def test_exam_date_flag_is_shown_at_once_and_saved_once_open(
        bank: Bank, db_path: Path, clock: Clock) -> None:
    opts = Options(db=str(db_path), settings={"exam_date": EXAM})
    open_store(db_path, now=clock).close()  # an existing file at the current schema
    store = open_for_app(opts, bank, "home")
    assert isinstance(store, PendingStore) and not store.ready
    assert store.settings().exam_date == EXAM  # the home screen shows it from the snapshot
    app = make_app(bank, store, now=clock)
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, HomeScreen)
        await pilot.pause()
        assert "crams" in screen_text(app)  # offered with an exam date only
        await until_ready(store)
        await pilot.pause()
    store.close()
    saved = open_store(db_path, now=clock)
    assert saved.settings().exam_date == EXAM
    saved.close()


async def test_a_deferred_write_that_fails_ends_the_app_with_exit_2(
        bank: Bank, db_path: Path, clock: Clock, monkeypatch: pytest.MonkeyPatch) -> None:
    def full(*_a: object, **_k: object) -> None:
        raise StoreError(f"{db_path}: cannot write: database or disk is full")

    monkeypatch.setattr(Store, "update_settings", full)
    store = open_for_app(Options(db=str(db_path), settings={"exam_date": EXAM}), bank, "home")
    assert isinstance(store, PendingStore)
    app = make_app(bank, store, now=clock)
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(300):
            if app.store_error is not None:
                break
            await pilot.pause(0.01)
    store.close()
    assert app.return_code == 2 and "disk is full" in str(app.store_error)


async def test_add_opens_its_form_from_the_snapshot(tmp_path: Path, bank: Bank,
                                                    db_path: Path, clock: Clock) -> None:
    store = open_for_app(Options(db=str(db_path)), bank, "add")
    assert isinstance(store, PendingStore) and not store.ready
    app = make_app(bank, store, now=clock, start="add", user_bank=tmp_path / "mine")
    async with app.run_test(size=SIZE):
        assert isinstance(app.screen, QuestionFormScreen)
        assert "New question" in screen_text(app)
        await until_ready(store)  # opened behind the form: a save finds it open
    store.close()
    assert isinstance(open_for_app(Options(db=str(db_path)), bank, "browse"), Store)




def gated(path: Path, bank: Bank, clock: Clock) -> tuple[PendingStore, threading.Event]:
    """A pending store whose real store cannot open until the event is set."""
    pending = pending_store(path, bank, now=clock, enable_fuzzing=False)
    assert pending is not None
    gate, opener = threading.Event(), pending._opener

    def slow() -> Store:
        assert gate.wait(10), "the gate was never opened"
        return opener()

    pending._opener = slow
    return pending, gate


async def answer_while_opening(pilot: Pilot, gate: threading.Event) -> str:
    """Pick a choice of the exam's first question while the store is still opening (the gate
    opens a moment later): the pick waits for the store, then is saved."""
    screen = pilot.app.screen
    assert isinstance(screen, ExamScreen)
    threading.Timer(0.2, gate.set).start()
    await pilot.press(keys_for(screen.showing)[0])
    await pilot.pause()
    return screen.showing.question.id


async def test_an_exam_starts_from_the_snapshot_and_is_saved_once_open(
        bank: Bank, store: Store, db_path: Path, clock: Clock) -> None:
    earlier = store.start_session("review")  # the new attempt is the next session
    store.close()
    pending, gate = gated(db_path, bank, clock)
    app = make_app(bank, pending, now=clock, start="exam", rng=random.Random(2),
                   exam_format=ExamFormat(3, timedelta(minutes=10), 0.75))
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, ExamScreen) and "question 1 of 3" in screen_text(app)
        run = screen.run
        assert not pending.ready and run.attempt.id == earlier.id + 1
        # Read as saved while the store opens (home would list it as open).
        assert pending.exams()[-1] == run.attempt
        assert pending.exam_position(run.attempt.id) == run.questions[0].id
        picked = await answer_while_opening(pilot, gate)
        assert pending.ready and screen.showing.selected
    pending.close()
    saved = open_store(db_path, now=clock, enable_fuzzing=False)
    attempt = saved.exam(run.attempt.id)
    assert attempt is not None and attempt.session.mode == "exam"
    assert attempt.question_ids == tuple(q.id for q in run.questions)
    assert attempt.session.started_at == run.attempt.session.started_at
    assert (attempt.time_limit_s, attempt.pass_mark) == (600, 0.75)
    assert set(attempt.answers) == {picked}
    assert saved.exam_position(attempt.id) == run.questions[0].id
    saved.close()


async def test_an_exam_whose_id_another_copy_took_is_saved_under_the_next(
        bank: Bank, store: Store, db_path: Path, clock: Clock) -> None:
    store.close()
    pending, gate = gated(db_path, bank, clock)
    app = make_app(bank, pending, now=clock, start="exam", rng=random.Random(2),
                   exam_format=ExamFormat(3, timedelta(minutes=10), 0.75))
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, ExamScreen)
        shown = screen.run.attempt
        other = open_store(db_path, now=clock, enable_fuzzing=False)  # a second copy of quiz
        taken = other.start_session("review")
        other.close()
        assert taken.id == shown.id
        picked = await answer_while_opening(pilot, gate)
        assert screen.run.attempt.id == shown.id + 1
    pending.close()
    saved = open_store(db_path, now=clock, enable_fuzzing=False)
    assert [s.mode for s in saved.sessions()] == ["review", "exam"]
    attempt = saved.exam(shown.id + 1)
    assert attempt is not None and set(attempt.answers) == {picked}
    assert attempt.session.started_at == shown.session.started_at
    assert saved.exam_position(attempt.id) == screen.run.questions[0].id
    saved.close()
