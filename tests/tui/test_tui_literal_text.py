"""Bank text is shown as written: ``[bold]x[/bold]`` is never console markup, anywhere."""

from __future__ import annotations

from textual.widgets import Markdown

from quiz.tui.screens.modals import ConceptPickerModal, MissedQuestionModal
from quiz.tui.screens.question import QuestionScreen
from quiz.tui.screens.summary import SummaryScreen
from tests.tui.conftest import SIZE, AppFactory, keys_for, screen_text


async def test_markup_in_the_bank_stays_literal_on_every_screen(make: AppFactory) -> None:
    app = make("practice", concept="policy-selectors")
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, QuestionScreen)
        text = screen_text(app)
        assert "Is [bold]x[/bold] shown [red]literally[/red]?" in text  # stem (Markdown)
        assert "1 ( ) [bold]Yes[/bold], as written" in text  # shuffle: false keeps order
        assert "2 ( ) [red]No" in text
        assert "Practice · Selectors [and] their scope" in text  # concept title in the header

        await pilot.press(*keys_for(screen.showing, right=False), "enter")
        await pilot.pause()
        text = screen_text(app)
        assert "[i]Bank text[/i] is never parsed as markup." in text  # a choice's why
        assert "[link=https://example.com]even this[/link]" in text  # explanation (Markdown)
        assert "Selectors [and] their scope" in text  # concept card title

        await pilot.press("enter")  # missed: asked once more at the end (here, at once)
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, QuestionScreen) and screen.showing.again
        await pilot.press(*keys_for(screen.showing), "enter")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)
        text = screen_text(app)
        assert "Is [bold]x[/bold] shown [red]literally[/red]?" in text  # missed list
        assert "NetworkPolicy [basics]" in text  # per-topic table

        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, MissedQuestionModal)
        text = screen_text(app)
        assert "Is [bold]x[/bold] shown [red]literally[/red]?" in text  # the stem again
        assert "[bold]Yes[/bold], as written" in text


async def test_code_blocks_keep_brackets_literal(make: AppFactory, bank) -> None:  # type: ignore[no-untyped-def]
    """Stems with code blocks: prose and code are Statics of literal Content, never markup."""
    question = bank.questions["np-deny-all-effect"]
    question.question += ("\n\n```yaml\nlabels: {tier: \"[bold]web[/bold]\"}\n```\n\n"
                          "And `[bold]x[/bold]` or [red]this[/red]?\n")
    app = make("practice", concept="default-deny")
    async with app.run_test(size=SIZE):
        assert app.screen.query(".code-block") and not app.screen.query(Markdown)
        text = screen_text(app)
        assert 'labels: {tier: "[bold]web[/bold]"}' in text
        assert "And [bold]x[/bold] or [red]this[/red]?" in text


async def test_markdown_widget_keeps_brackets_literal(make: AppFactory, bank) -> None:  # type: ignore[no-untyped-def]
    """Stems with lists use Textual's Markdown widget: it must not read markup either."""
    question = bank.questions["np-deny-all-effect"]
    question.question += "\n\n- And `[bold]x[/bold]` or [red]this[/red]?\n"
    app = make("practice", concept="default-deny")
    async with app.run_test(size=SIZE):
        assert app.screen.query(Markdown)
        assert "And [bold]x[/bold] or [red]this[/red]?" in screen_text(app)


async def test_topic_titles_stay_literal_on_home_and_in_dialogs(make: AppFactory) -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        assert "NetworkPolicy [basics]" in screen_text(app)  # topic list and detail
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, ConceptPickerModal)
        text = screen_text(app)
        assert "NetworkPolicy [basics]" in text and "Selectors [and] their scope" in text
        await pilot.press("escape", "s")
        await pilot.pause()
        assert "NetworkPolicy [basics]" in screen_text(app)  # stats table
