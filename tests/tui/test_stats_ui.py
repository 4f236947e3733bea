"""The stats screen's readiness figures, and the exam date's effect on the prediction."""

from __future__ import annotations

from datetime import timedelta

from textual.pilot import Pilot

from quiz.bank import Bank
from quiz.exam import ExamFormat, ExamRun
from quiz.readiness import predicted_score
from quiz.scheduling import due_today
from quiz.store import Store
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
        assert "Accuracy  80% last 7 days, 80% last 30 days, 80% overall" in text
        assert "Streak 2 days" in text
        assert "Answers per day, last 30 days: 5 in all, at most 3 (Mon 10 Mar)" in text
        # Today's figure is home's (quiz.scheduling.due_today): due reviews and new questions.
        today = due_today(bank, store, clock())
        assert today.total == 1
        assert "Due in the next 14 days: 3 reviews; today 1 to review" in text
        assert "with new questions" not in text  # the bank's questions are all started
        assert "Mock exams  1 finished, latest 67%" in text
        assert "2025-03-10 12:00    2/3    67%  not passed" in text
        await pilot.press("2")  # the counts table is the next section
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
