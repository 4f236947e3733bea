"""The stats screen's readiness figures, and the exam date's effect on the prediction."""

from __future__ import annotations

import asyncio
import threading
from datetime import timedelta

import pytest
from textual.pilot import Pilot
from textual.widgets import TabbedContent

from quiz.bank import Bank
from quiz.exam import ExamFormat, ExamRun
from quiz.readiness import predicted_score
from quiz.scheduling import due_today
from quiz.stats import compute_stats
from quiz.store import Store, StoreError
from quiz.tui.screens import stats as stats_screen
from quiz.tui.screens.stats import StatsScreen
from quiz.tui.widgets.readiness_view import ReadinessView
from tests.conftest import T0, Clock
from tests.tui.conftest import AppFactory, screen_text

TALL = (100, 60)  # the whole stats page without scrolling


async def open_stats(pilot: Pilot) -> ReadinessView:
    """Home's s: the stats screen and its readiness view."""
    await pilot.press("s")
    await pilot.pause()
    assert isinstance(pilot.app.screen, StatsScreen)
    return pilot.app.screen.query_one(ReadinessView)


def study(bank: Bank, store: Store, clock: Clock) -> None:
    """Two review answers (one wrong) yesterday, one right today, and a mock exam (2 of 3):
    five answers, four right."""
    clock.advance(days=-1)
    store.record_answer(bank.questions["np-deny-all-effect"], [0])
    store.record_answer(bank.questions["np-literal-markup"], [1])
    clock.advance(days=1)
    mtls = bank.questions["enc-mtls-both-ends"]
    store.record_answer(mtls, sorted(mtls.correct_indices))
    run = ExamRun.start(bank, store, list(bank.questions.values()), now=clock,
                        fmt=ExamFormat(3, timedelta(minutes=10)))
    for i, question in enumerate(run.questions[:2]):
        run.goto(i)
        right = sorted(question.correct_indices)
        for position, bank_index in enumerate(run.current.order):
            if bank_index in right:
                run.select(position)
    run.submit()




async def test_stats_screen_shows_the_readiness_figures(make: AppFactory, bank: Bank,
                                                       store: Store, clock: Clock) -> None:
    study(bank, store, clock)
    app = make()
    async with app.run_test(size=TALL) as pilot:
        await open_stats(pilot)
        text = screen_text(app)
        now = predicted_score(bank, store, clock())
        verdict = "at or above" if now.passes else "below"
        assert f"Predicted {now.overall:.0%} now · pass mark 75%: {verdict} the pass mark" in text
        assert "NetworkPolicy [basics]" in text and "recall by topic" in text
        await pilot.press("2")  # activity
        text = screen_text(app)
        assert "Accuracy  80% last 7 days, 80% last 30 days, 80% overall" in text
        assert "Streak 2 days" in text
        assert "Answers per day, last 30 days: 5 in all, at most 3 (Mon 10 Mar)" in text
        # Today's figure is home's (quiz.scheduling.due_today): due reviews and new questions.
        today = due_today(bank, store, clock())
        assert today.total == 1
        assert "Due in the next 14 days: 3 reviews; today 1 to review" in text
        assert "with new questions" not in text  # the bank's questions are all started
        await pilot.press("7")  # exams
        text = screen_text(app)
        assert "Mock exams  1 finished, latest 67%" in text
        assert "2025-03-10 12:00    2/3    67%  not passed" in text
        await pilot.press("3")  # the counts table
        assert "Progress per topic" in screen_text(app)


async def test_exam_date_predicts_the_score_on_that_day(make: AppFactory, bank: Bank,
                                                       store: Store, clock: Clock) -> None:
    study(bank, store, clock)
    app = make()
    async with app.run_test(size=TALL) as pilot:
        undated = (await open_stats(pilot)).readiness.prediction
        assert "Exam day  not set" in screen_text(app)

    exam_day = (T0 + timedelta(days=21)).date()
    store.update_settings(exam_date=exam_day)
    app = make()
    async with app.run_test(size=TALL) as pilot:
        dated = (await open_stats(pilot)).readiness.prediction
        text = screen_text(app)
        assert "Exam day  Mon 31 Mar 2025, in 21 days" in text
        # Recall fades: three weeks on, the prediction is lower than today's.
        assert dated.overall < undated.overall
        assert (f"Predicted {dated.overall:.0%} on the exam day ({undated.overall:.0%} now)"
                in text)


async def history_read(pilot: Pilot) -> None:
    """Until the stats screen has read the weeks' figures (in a thread, after its first
    frame) and shown them."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    assert pilot.app.screen.history is not None  # type: ignore[attr-defined]


def weeks_of_study(bank: Bank, store: Store, clock: Clock, weeks: int = 5) -> None:
    """Every question answered every third day for ``weeks`` weeks (review mode, timed), the
    third question of the bank always missed, then a passed and a failed mock exam."""
    ids = sorted(bank.questions)
    clock.advance(weeks=-weeks)
    for day in range(0, weeks * 7, 3):
        for n, qid in enumerate(ids):
            q = bank.questions[qid]
            right = n != 2 and (day + n) % 5 != 0
            picked = sorted(q.correct_indices) if right else \
                [min(set(range(len(q.choices))) - q.correct_indices)]
            store.record_answer(q, picked, duration_ms=2000 + 1500 * n + 100 * day)
            clock.advance(minutes=2)
        clock.advance(days=3, minutes=-2 * len(ids))
    clock.value = T0
    for score in (3, 1):
        exam = store.start_exam(ids[:4], pass_mark=0.75)
        store.finish_session(exam.id, score=score, total=4, per_topic={})


async def test_keys_move_through_the_sections(make: AppFactory, bank: Bank, store: Store,
                                             clock: Clock) -> None:
    weeks_of_study(bank, store, clock)
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("s")
        await history_read(pilot)
        sections = app.screen.query_one("#stats-sections")
        seen = {}
        for _ in range(8):
            seen[sections.active] = screen_text(app)  # type: ignore[attr-defined]
            await pilot.press("right")
            await pilot.pause()
        assert list(seen) == ["readiness", "activity", "progress", "retention", "cards", "time",
                              "exams", "hardest"]
        assert sections.active == "readiness"  # type: ignore[attr-defined]  # round again
        assert "Predicted" in seen["readiness"]
        assert "Answers per day, last 30 days" in seen["activity"]
        assert "Progress per topic" in seen["progress"]
        assert "True retention, last 12 weeks" in seen["retention"]
        assert "Intervals of the" in seen["cards"]
        assert "Review  median" in seen["time"]
        assert "Mock exam scores" in seen["exams"] and "75% ┈" in seen["exams"]
        assert "Most often missed" in seen["hardest"]
        await pilot.press("left")
        assert sections.active == "hardest"  # type: ignore[attr-defined]
        await pilot.press("4")
        await pilot.pause()
        assert sections.active == "retention"  # type: ignore[attr-defined]
        # The shown section's scroll has the keys (up/down, page up/down, home/end).
        body = sections.active_pane.query_one(".stats-body")  # type: ignore[attr-defined]
        assert app.focused is body
        await pilot.press("1")
        await pilot.pause()
        assert app.focused is sections.active_pane.query_one(".stats-body")  # type: ignore[attr-defined]
        await pilot.press("question_mark")
        await pilot.pause()
        help_text = screen_text(app)
        assert "Retention section" in help_text and "Next section" in help_text


async def test_leaving_before_the_history_is_read(make: AppFactory, bank: Bank, store: Store,
                                                 clock: Clock) -> None:
    weeks_of_study(bank, store, clock)
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("s", "escape")  # the history is read in a thread all the same
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert not isinstance(app.screen, StatsScreen)
        await pilot.press("s")
        await history_read(pilot)  # and a second visit reads it again
        await pilot.press("8")
        assert "Most often missed" in screen_text(app)


async def test_sections_show_the_figures(make: AppFactory, bank: Bank, store: Store,
                                        clock: Clock) -> None:
    weeks_of_study(bank, store, clock)
    stats = compute_stats(bank, store, clock(), charts=True)
    history = stats.history
    assert history is not None
    app = make()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("s", "4")
        await history_read(pilot)
        young, mature = history.retention()
        text = screen_text(app)
        assert f"young {young.correct / young.answers:.0%} of {young.answers}" in text
        assert "target 90%" in text
        await pilot.press("8")
        await pilot.pause()
        worst = history.hardest[0]
        assert worst.question_id == sorted(bank.questions)[2] and worst.correct == 0
        assert f"   0%    0/{worst.answers:<3} {worst.question_id}" in screen_text(app)
        await pilot.press("6")
        await pilot.pause()
        (review,) = history.answer_times
        assert f"Review  median {review.median_s:.1f} s, {review.answers} answers" in \
            screen_text(app)


async def test_a_store_failing_while_the_history_is_read_ends_the_app(
        make: AppFactory, store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    def locked(*_args: object, **_kwargs: object) -> None:
        raise StoreError("progress.db: still locked by another program after 5 tries")

    monkeypatch.setattr(Store, "weekly_tally", locked)
    app = make()
    async with app.run_test(size=(80, 24)):
        app.simulate_key("s")  # the app exits under it: pilot.press would wait forever
        for _ in range(200):
            if app.store_error is not None:
                break
            await asyncio.sleep(0.01)
    assert app.return_code == 2
    assert app.store_error is not None and "still locked" in str(app.store_error)


async def test_the_counts_are_read_after_the_first_section_is_drawn(
        make: AppFactory, bank: Bank, store: Store, clock: Clock,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The first frame shows the readiness section; the other sections' figures (the counts,
    the streak, activity) are read once it is on screen, outside the event loop."""
    study(bank, store, clock)
    shown_first: list[tuple[bool, bool]] = []
    count = stats_screen.compute_stats

    def on_screen() -> bool:
        screen = app.screen
        return (isinstance(screen, StatsScreen) and bool(screen.query(ReadinessView))
                and "Predicted" in screen_text(app))

    def counted(*args: object, **kwargs: object) -> object:
        # Asked of the event loop from the reading thread: the loop is free meanwhile.
        looking = threading.current_thread() is not threading.main_thread()
        shown_first.append((looking, app.call_from_thread(on_screen)))
        return count(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(stats_screen, "compute_stats", counted)
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("s")
        await history_read(pilot)
        assert shown_first == [(True, True)]
        await pilot.press("3")
        assert "Progress per topic" in screen_text(app)


async def test_keys_work_while_the_figures_are_read(
        make: AppFactory, bank: Bank, store: Store, clock: Clock,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """With the reading of the counts held back, the sections change and say they are being
    read, and Esc leaves at once; let go, each section shows its figures."""
    study(bank, store, clock)
    go_on = threading.Event()
    count = stats_screen.compute_stats

    def held(*args: object, **kwargs: object) -> object:
        go_on.wait(timeout=30)
        return count(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(stats_screen, "compute_stats", held)
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_stats(pilot)
        screen = app.screen
        assert isinstance(screen, StatsScreen)
        await pilot.press("3")  # progress: its figures are the ones held back
        await pilot.pause()
        assert screen.query_one(TabbedContent).active == "progress"
        assert "Reading your progress…" in screen_text(app)
        assert not screen.query("#stats-table")
        await pilot.press("right")  # retention: after the counts, so not read either
        await pilot.pause()
        assert "Reading the answer history…" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, StatsScreen)  # left with the read still held
        go_on.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.history is None  # left: not read on, nor drawn
        go_on.clear()
        await pilot.press("s", "3")
        await pilot.pause()
        assert "Reading your progress…" in screen_text(app)
        go_on.set()
        await history_read(pilot)
        text = screen_text(app)
        assert "Progress per topic" in text and "Reading" not in text
        await pilot.press("4")
        await pilot.pause()
        assert "True retention" in screen_text(app)
