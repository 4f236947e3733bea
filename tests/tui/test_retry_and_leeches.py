"""Issue 15 in browse, the summary, exam results and stats: sorting, the width of the question
column, bulk marks with confirmation, practising the filtered set, retrying what was missed or
flagged, leeches (column, filter, feedback notice, stats) and the letters the learner saw."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import DataTable, Select

from quiz.bank import Bank
from quiz.exam import ExamFormat
from quiz.stats import compute_stats
from quiz.store import Store
from quiz.tui.app import QuizApp
from quiz.tui.screens.browse import BrowseScreen
from quiz.tui.screens.exam_results import ExamResultsScreen
from quiz.tui.screens.feedback import FeedbackScreen
from quiz.tui.screens.modals import ConfirmModal
from quiz.tui.screens.question import QuestionScreen
from quiz.tui.screens.question_detail import QuestionDetailScreen
from quiz.tui.screens.summary import SummaryScreen
from tests.conftest import Clock
from tests.tui.conftest import SIZE, AppFactory, keys_for, screen_text

ALL = ["enc-mtls-both-ends", "np-deny-all-effect", "np-literal-markup"]  # bank order


async def open_browse(pilot: Pilot, app: QuizApp) -> BrowseScreen:
    await pilot.press("b")
    await pilot.pause()
    assert isinstance(app.screen, BrowseScreen)
    return app.screen


def table_ids(screen: BrowseScreen) -> list[str]:
    return [str(key.value) for key in screen.query_one(DataTable).rows]


def notices(app: QuizApp) -> str:
    return " ".join(n.message for n in app._notifications)


async def finish_practice(pilot: Pilot, app: QuizApp) -> list[str]:
    """Answer every question of the practice on screen rightly; the ids asked."""
    asked = []
    while isinstance(app.screen, QuestionScreen):
        asked.append(app.screen.showing.question.id)
        await pilot.press(*keys_for(app.screen.showing), "enter")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
    assert isinstance(app.screen, SummaryScreen)
    await pilot.press("escape")
    await pilot.pause()
    return asked


def make_leech(db_path: Path, store: Store, question_id: str, lapses: int = 8) -> None:
    store.set_flagged(question_id, False)  # a card row to mark
    with sqlite3.connect(db_path) as conn:
        conn.execute("UPDATE card SET lapses = ?, leech = 1 WHERE question_id = ?",
                     (lapses, question_id))
    conn.close()


# --- browse ----------------------------------------------------------------------------------

async def test_sort_by_key_and_by_header_click(make: AppFactory, store: Store,
                                               bank: Bank) -> None:
    store.record_answer(bank.questions["np-literal-markup"], [0])
    app = make()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_browse(pilot, app)
        await pilot.press("s")  # the first column: id
        await pilot.pause()
        assert screen.sort_by == "id" and table_ids(screen) == sorted(ALL)
        assert "ID ▲" in screen_text(app)
        await pilot.press("r")
        await pilot.pause()
        assert table_ids(screen) == sorted(ALL, reverse=True) and "ID ▼" in screen_text(app)
        table = screen.query_one(DataTable)
        x = sum(c.get_render_width(table) for c in list(table.columns.values())[:5]) + 2
        await pilot.click(DataTable, offset=(x, 0))  # the "Due" header
        await pilot.pause()
        assert screen.sort_by == "due" and not screen.sort_reverse
        assert table_ids(screen)[0] == "np-literal-markup"  # the only one with a due time
        await pilot.click(DataTable, offset=(x, 0))  # again: reversed, still last-less first
        await pilot.pause()
        assert screen.sort_reverse and table_ids(screen)[0] == "np-literal-markup"


async def test_the_question_column_takes_the_width_left(make: AppFactory) -> None:
    widths = {}
    for size in ((80, 24), (160, 40)):
        app = make()
        async with app.run_test(size=size) as pilot:
            screen = await open_browse(pilot, app)
            table = screen.query_one(DataTable)
            used = sum(c.get_render_width(table) for c in table.columns.values())
            assert used <= table.scrollable_content_region.width
            widths[size[0]] = table.columns["Question"].get_render_width(table)
            # Every id of this bank is shorter than the share ids get at 160 columns.
            if size[0] == 160:
                assert all(i in screen_text(app) for i in ALL)
    assert widths[80] >= 15 and widths[160] >= 80


async def test_practise_all_shown_then_back_to_browse(make: AppFactory, store: Store) -> None:
    app = make()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_browse(pilot, app)
        screen.query_one("#filter-topic", Select).value = "network-policies"
        await pilot.pause()
        await pilot.press("P")
        await pilot.pause()
        assert isinstance(app.screen, QuestionScreen) and app.screen.session.mode == "practice"
        assert "Practice · 2 from browse" in screen_text(app)  # not the first one's topic
        asked = await finish_practice(pilot, app)
        assert sorted(asked) == ["np-deny-all-effect", "np-literal-markup"]
        assert app.screen is screen
        assert {e.question_id for e in store.logs()} == set(asked)
        await pilot.press("slash", *"no such words", "enter")
        await pilot.pause()
        await pilot.press("P")
        await pilot.pause()
        assert app.screen is screen and "Nothing to practise" in notices(app)


async def test_bulk_flag_and_suspend_ask_first(make: AppFactory, store: Store) -> None:
    app = make()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_browse(pilot, app)
        await pilot.press("Z")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmModal)
        assert "Suspend 3 questions?" in screen_text(app)
        await pilot.press("n")
        await pilot.pause()
        assert app.screen is screen and store.suspended_ids() == set()
        screen.query_one("#filter-topic", Select).value = "network-policies"
        await pilot.pause()
        await pilot.press("F")
        await pilot.pause()
        assert "Flag 2 questions?" in screen_text(app)
        await pilot.press("y")
        await pilot.pause()
        assert store.flagged_ids() == {"np-deny-all-effect", "np-literal-markup"}
        assert screen_text(app).count("⚑") >= 2 and "Flagged 2 questions" in notices(app)
        await pilot.press("F")  # every one shown is flagged: the same key unflags them
        await pilot.pause()
        assert "Unflag 2 questions?" in screen_text(app)
        await pilot.press("y")
        await pilot.pause()
        assert store.flagged_ids() == set()


async def test_leeches_have_a_column_and_a_filter(make: AppFactory, store: Store,
                                                 db_path: Path) -> None:
    make_leech(db_path, store, "np-literal-markup")
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_browse(pilot, app)
        assert "leech" in screen_text(app)
        screen.query_one("#filter-state", Select).value = "leech"
        await pilot.pause()
        assert table_ids(screen) == ["np-literal-markup"]


async def test_detail_shows_the_card_and_the_letters_the_learner_saw(
        make: AppFactory, store: Store, bank: Bank, clock: Clock, db_path: Path) -> None:
    question = bank.questions["np-deny-all-effect"]
    right = next(i for i, c in enumerate(question.choices) if c.correct)
    order = tuple(reversed(range(len(question.choices))))
    store.record_answer(question, [right])  # an answer logged without its order
    clock.advance(minutes=5)
    store.record_answer(question, [right], shown_order=order)
    make_leech(db_path, store, question.id, lapses=9)
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await open_browse(pilot, app)
        await pilot.press("down", "enter")
        await pilot.pause()
        detail = app.screen
        assert isinstance(detail, QuestionDetailScreen)
        text = screen_text(app)
        assert "leech" in text and "lapses 9" in text and "stability" in text
        assert "difficulty" in text and "recall now" in text and "due in" in text
        detail.query_one("#detail-body").scroll_end(animate=False)
        await pilot.pause()
        text = screen_text(app)
        shown = order.index(right) + 1
        assert f"picked {shown} (no. {right + 1} here)" in text  # newest first
        assert f"picked {right + 1} (bank order)" in text


# --- leeches in a session --------------------------------------------------------------------

async def test_the_answer_that_makes_a_leech_says_so(make: AppFactory, store: Store,
                                                     bank: Bank, clock: Clock) -> None:
    store.update_settings(leech_threshold=2, leech_action="suspend")
    question = bank.questions["np-deny-all-effect"]
    right = next(i for i, c in enumerate(question.choices) if c.correct)
    wrong = next(i for i, c in enumerate(question.choices) if not c.correct)
    for picked in ([right], [right], [wrong], [right]):  # to Review, a lapse, back to Review
        store.record_answer(question, [picked[0]])
        clock.advance(minutes=10)
    clock.advance(days=60)  # due again
    app = make("review")
    async with app.run_test(size=SIZE) as pilot:
        while app.screen.showing.question.id != question.id:  # type: ignore[attr-defined]
            await pilot.press(*keys_for(app.screen.showing), "enter", "enter")  # type: ignore[attr-defined]
            await pilot.pause()
        await pilot.press(*keys_for(app.screen.showing, right=False), "enter")  # type: ignore[attr-defined]
        await pilot.pause()
        assert isinstance(app.screen, FeedbackScreen)
        assert app.screen.feedback.leech and app.screen.feedback.suspended
        text = screen_text(app)
        assert "Leech:" in text and "It is suspended" in text
    card = store.card(question.id)
    assert card is not None and card.leech and card.suspended and card.lapses == 2


async def test_stats_count_and_list_leeches_and_use_the_width(
        make: AppFactory, store: Store, bank: Bank, clock: Clock, db_path: Path) -> None:
    make_leech(db_path, store, "enc-mtls-both-ends")
    stats = compute_stats(bank, store, clock())
    assert stats.leeches == ["enc-mtls-both-ends"]
    assert stats.to_dict()["leeches"] == {"count": 1, "questions": ["enc-mtls-both-ends"]}
    title = bank.topics["encryption"].title  # 68 characters
    for size, whole in (((80, 24), False), ((160, 40), True)):
        app = make()
        async with app.run_test(size=size) as pilot:
            await pilot.press("s", "3")  # the progress section
            await pilot.pause()
            app.screen.query_one("#progress .stats-body").scroll_end(animate=False)
            await pilot.pause()
            text = screen_text(app)
            assert "Leeches" in text and "enc-mtls-both-ends" in text
            assert (title in text) == whole


# --- retry from the summary and the exam results ---------------------------------------------

async def test_summary_retries_the_missed_and_the_flagged(make: AppFactory,
                                                          store: Store) -> None:
    app = make("review")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        missed = app.screen.showing.question.id  # type: ignore[attr-defined]
        await pilot.press(*keys_for(app.screen.showing, right=False), "enter", "enter")  # type: ignore[attr-defined]
        await pilot.pause()
        while isinstance(app.screen, QuestionScreen):
            await pilot.press(*keys_for(app.screen.showing), "enter", "enter")
            await pilot.pause()
        summary = app.screen
        assert isinstance(summary, SummaryScreen)
        await pilot.press("f")  # nothing flagged
        await pilot.pause()
        assert app.screen is summary and "No question of this session is flagged" in notices(app)
        await pilot.press("m")
        await pilot.pause()
        assert isinstance(app.screen, QuestionScreen) and app.screen.session.mode == "practice"
        assert "Retry · missed" in screen_text(app)
        assert await finish_practice(pilot, app) == [missed]
        assert app.screen is summary  # back where the retry started
        store.set_flagged("np-literal-markup")
        await pilot.press("f")
        await pilot.pause()
        assert await finish_practice(pilot, app) == ["np-literal-markup"]


async def test_exam_results_retry_the_missed_and_the_flagged(make: AppFactory) -> None:
    app = make("exam", exam_format=ExamFormat(3, timedelta(minutes=10), 0.75))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        wrong = app.screen.showing.question.id  # type: ignore[attr-defined]
        await pilot.press(*keys_for(app.screen.showing, right=False), "enter")  # type: ignore[attr-defined]
        await pilot.press("f")  # the second question: flagged during the exam
        await pilot.pause()
        flagged = app.screen.showing.question.id  # type: ignore[attr-defined]
        await pilot.press(*keys_for(app.screen.showing), "enter")  # type: ignore[attr-defined]
        await pilot.press(*keys_for(app.screen.showing), "enter")  # type: ignore[attr-defined]
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        results = app.screen
        assert isinstance(results, ExamResultsScreen)
        await pilot.press("m")
        await pilot.pause()
        assert "Retry · missed in the exam" in screen_text(app)
        assert await finish_practice(pilot, app) == [wrong]
        assert app.screen is results
        await pilot.press("f")
        await pilot.pause()
        assert await finish_practice(pilot, app) == [flagged]
