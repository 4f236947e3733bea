"""Browsing the bank: the rows and filters (plain pytest), then the screen driven by Pilot."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable, Select
from textual.widgets._select import InvalidSelectValueError

from quiz.bank import Bank, load_bank
from quiz.browse import browse_rows, filter_rows, question_state, tags_of
from quiz.scheduling import review_queue
from quiz.store import Store
from quiz.tui.app import QuizApp
from quiz.tui.screens.browse import SEARCH_DELAY, BrowseScreen
from quiz.tui.screens.feedback import FeedbackScreen
from quiz.tui.screens.question import QuestionScreen
from quiz.tui.screens.question_detail import QuestionDetailScreen
from quiz.tui.screens.summary import SummaryScreen
from tests.conftest import Clock
from tests.tui.conftest import SIZE, AppFactory, keys_for, screen_text

WRITER_BANK = Path(__file__).parent.parent / "data" / "writer" / "bank"


# --- rows and filters --------------------------------------------------------------------


def ids(rows: list) -> list[str]:  # type: ignore[type-arg]
    return [row.id for row in rows]


def test_states_follow_the_card(bank: Bank, store: Store, clock: Clock) -> None:
    question = bank.questions["np-deny-all-effect"]
    assert question_state(store.card(question.id), clock()) == "new"
    store.record_answer(question, [0], mode="practice")
    assert question_state(store.card(question.id), clock()) == "new"  # practice: no schedule
    store.record_answer(question, [0])
    assert question_state(store.card(question.id), clock()) == "learning"
    clock.advance(days=1)
    assert question_state(store.card(question.id), clock()) == "due"
    store.set_suspended(question.id)
    assert question_state(store.card(question.id), clock()) == "suspended"
    (row,) = [r for r in browse_rows(bank, store, clock()) if r.id == question.id]
    assert (row.progress.answered, row.progress.right, row.progress.accuracy) == (2, 2, 1.0)
    assert row.progress.due is None  # a suspended question is never due


def test_search_reads_ids_stems_choices_whys_and_explanations_in_any_case(
        bank: Bank, store: Store, clock: Clock) -> None:
    rows = browse_rows(bank, store, clock())
    assert ids(filter_rows(rows, "ENC-MTLS")) == ["enc-mtls-both-ends"]  # the id
    assert ids(filter_rows(rows, "meshed workloads")) == ["enc-mtls-both-ends"]  # the stem
    assert ids(filter_rows(rows, "labelled or not")) == ["np-deny-all-effect"]  # a why
    assert ids(filter_rows(rows, "[bold]yes")) == ["np-literal-markup"]  # a choice, literally
    assert ids(filter_rows(rows, "link=https")) == ["np-literal-markup"]  # the explanation
    assert ids(filter_rows(rows, "pod   isolates")) == ["np-deny-all-effect"]  # every word
    assert filter_rows(rows, "no such words") == []
    assert len(filter_rows(rows, "  ")) == len(bank.questions)


def test_filters_by_topic_concept_tag_and_state(store: Store, clock: Clock) -> None:
    bank = load_bank([WRITER_BANK])
    store.set_flagged("enc-mtls-hop")
    rows = browse_rows(bank, store, clock())
    assert ids(filter_rows(rows, topic="encryption")) == ["enc-mtls-mutual", "enc-mtls-hop"]
    assert ids(filter_rows(rows, concept="egress-rules")) == ["np-deny-all-egress"]
    assert tags_of(bank) == ["kcsa"]
    assert ids(filter_rows(rows, tag="kcsa")) == ["np-deny-all-egress"]
    assert ids(filter_rows(rows, state="flagged")) == ["enc-mtls-hop"]
    assert ids(filter_rows(rows, "hop", topic="encryption", state="new")) == ["enc-mtls-hop"]
    assert filter_rows(rows, topic="encryption", concept="default-deny") == []


# --- the screen ----------------------------------------------------------------------------


async def open_browse(pilot, app: QuizApp) -> BrowseScreen:  # type: ignore[no-untyped-def]
    await pilot.press("b")
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, BrowseScreen)
    return screen


def table_ids(screen: BrowseScreen) -> list[str]:
    table = screen.query_one(DataTable)
    return [str(key.value) for key in table.rows]


async def test_search_and_filters_narrow_the_table(make: AppFactory) -> None:
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_browse(pilot, app)
        assert table_ids(screen) == list(app.bank.questions)
        assert "3 questions" in screen_text(app)
        await pilot.press("slash", *"MUTUAL tls")
        await pilot.pause(SEARCH_DELAY + 0.1)
        assert table_ids(screen) == ["enc-mtls-both-ends"]
        assert "1 of 3 questions" in screen_text(app)
        await pilot.press("enter")  # back to the table, the search kept
        await pilot.pause()
        assert isinstance(app.focused, DataTable) and table_ids(screen) == ["enc-mtls-both-ends"]
        await pilot.press("slash", *["backspace"] * 10, "enter")
        await pilot.pause()
        assert len(table_ids(screen)) == 3
        screen.query_one("#filter-topic", Select).value = "network-policies"
        await pilot.pause()
        assert table_ids(screen) == ["np-deny-all-effect", "np-literal-markup"]
        # the concept filter offers the chosen topic's concepts only
        concept = screen.query_one("#filter-concept", Select)
        with pytest.raises(InvalidSelectValueError):
            concept.value = "mesh-mtls"  # a concept of encryption
        concept.value = "policy-selectors"
        await pilot.pause()
        assert table_ids(screen) == ["np-literal-markup"]
        assert "np-literal-markup" in screen_text(app)  # the preview under the table


async def test_flag_and_suspend_from_browse_reach_the_store(make: AppFactory, store: Store,
                                                            clock: Clock) -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_browse(pilot, app)
        first = table_ids(screen)[0]
        await pilot.press("f")
        await pilot.pause()
        card = store.card(first)
        assert card is not None and card.flagged
        assert "⚑" in screen_text(app)
        await pilot.press("z")
        await pilot.pause()
        card = store.card(first)
        assert card is not None and card.suspended and card.flagged
        assert first not in [q.id for q in review_queue(app.bank, store, clock())]
        screen.query_one("#filter-state", Select).value = "suspended"
        await pilot.pause()
        assert table_ids(screen) == [first]
        await pilot.press("f", "z")  # both undone: the row leaves the "suspended" view
        await pilot.pause()
        card = store.card(first)
        assert card is not None and not card.suspended and not card.flagged
        assert table_ids(screen) == []
        assert first in [q.id for q in review_queue(app.bank, store, clock())]


async def test_open_a_question_practise_it_and_come_back_to_its_history(
        make: AppFactory, store: Store) -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_browse(pilot, app)
        await pilot.press("down", "enter")  # the second row: np-deny-all-effect
        await pilot.pause()
        detail = app.screen
        assert isinstance(detail, QuestionDetailScreen)
        assert detail.question_id == "np-deny-all-effect"
        text = screen_text(app)
        assert "Answer: 1" in text and "Only `Ingress` is listed" not in text  # rendered code
        assert "Only Ingress is listed in policyTypes." in text  # a wrong choice's why
        detail.query_one("#detail-body").scroll_end(animate=False)
        await pilot.pause()
        assert "Default-deny policies" in screen_text(app)  # the concept card
        assert "Never answered." in screen_text(app)
        await pilot.press("p")
        await pilot.pause()
        question = app.screen
        assert isinstance(question, QuestionScreen)
        assert question.showing.total == 1 and question.session.mode == "practice"
        await pilot.press(*keys_for(question.showing), "enter")
        await pilot.pause()
        assert isinstance(app.screen, FeedbackScreen)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)
        await pilot.press("escape")  # the session ends where it started
        await pilot.pause()
        assert app.screen is detail
        (entry,) = store.logs(question_id="np-deny-all-effect")
        assert entry.mode == "practice" and entry.correct
        detail.query_one("#detail-body").scroll_end(animate=False)
        await pilot.pause()
        assert "✓ right" in screen_text(app) and "practice" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen
        assert screen.rows["np-deny-all-effect"].progress.accuracy == 1.0
        assert "100%" in screen_text(app)


async def test_quiz_browse_opens_on_the_browse_screen(make: AppFactory) -> None:
    app = make(start="browse")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, BrowseScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert type(app.screen).__name__ == "HomeScreen"  # esc goes home, as from home's b


def test_quiz_browse_is_a_command() -> None:
    from click.testing import CliRunner

    from quiz.cli import cli

    result = CliRunner().invoke(cli, ["browse", "--help"])
    assert result.exit_code == 0 and "search" in result.output
