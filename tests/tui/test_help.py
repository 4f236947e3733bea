"""Help (? and F1) on every screen, generated from the screen's bindings; the palette finds
settings, help and themes; every built-in theme shows the header and footer readably."""

from __future__ import annotations

from rich.segment import Segment
from textual.color import Color
from textual.command import CommandPalette
from textual.widgets import Input

from quiz.tui.screens.browse import BrowseScreen
from quiz.tui.screens.help import HelpModal
from quiz.tui.screens.home import HomeScreen
from quiz.tui.screens.question import QuestionScreen
from quiz.tui.screens.question_form import QuestionFormScreen
from quiz.tui.screens.settings import SettingsScreen
from tests.tui.conftest import SIZE, AppFactory, screen_text


async def test_question_mark_and_f1_open_help_with_the_screens_keys(make: AppFactory) -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        help_screen = app.screen
        assert isinstance(help_screen, HelpModal)
        text = screen_text(app)
        assert "Help · Home" in text
        shown = {k.description for k in help_screen.keys}
        # Hidden from the footer (a, ","), but listed here; cram only with an exam date.
        assert {"Review", "Practice", "Browse", "Add a question", "Settings", "Quit",
                "Help"} <= shown
        assert "Cram" not in shown
        await pilot.press("end")  # the modes, below the keys
        await pilot.pause()
        lines = screen_text(app).splitlines()
        for mode in ("Review", "Practice", "Cram", "Exam", "Browse", "Lab", "Settings"):
            assert any(f"█ {mode} " in line for line in lines), mode
        assert any("does not change the schedule" in line for line in lines)
        await pilot.press("question_mark")  # ? closes it again
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpModal)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)


async def test_help_follows_the_screen_it_opens_over(make: AppFactory) -> None:
    app = make("review")
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, QuestionScreen)
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpModal)
        shown = {k.description for k in app.screen.keys}
        assert {"Submit", "Flag", "End", "Pick", "Edit", "Toggle"} <= shown
        assert "Review" not in shown  # home's keys are not this screen's
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, QuestionScreen)


async def test_question_mark_types_into_text_fields_f1_still_helps(make: AppFactory) -> None:
    app = make("browse")
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, BrowseScreen)
        await pilot.press("slash", "question_mark")
        await pilot.pause()
        assert isinstance(app.screen, BrowseScreen)
        assert "?" in app.screen.query_one(Input).value
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpModal)
        assert [k.shown_keys for k in app.screen.keys if k.description == "Help"] == ["F1"]
        await pilot.press("escape")
        await pilot.pause()
        app.open_add()
        await pilot.pause()
        form = app.screen
        assert isinstance(form, QuestionFormScreen)
        await pilot.press("question_mark")
        await pilot.pause()
        assert app.screen is form
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpModal)
        assert "Help · Question form" in screen_text(app)


async def test_settings_has_help_too(make: AppFactory) -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("comma")
        await pilot.pause()
        assert isinstance(app.screen, SettingsScreen)
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpModal)
        assert {"Save", "Back"} <= {k.description for k in app.screen.keys}


async def test_the_palette_finds_settings_help_and_themes(make: AppFactory) -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        for query, title in (("settings", "Settings: new a day"), ("help", "Help: keys and modes"),
                             ("theme", "Change the current theme"),
                             ("theme", "Settings: new a day")):
            await pilot.press("ctrl+p")
            await pilot.pause(0.3)
            await pilot.press(*query)
            await pilot.pause(0.5)
            assert isinstance(app.screen, CommandPalette)
            assert title in screen_text(app), query
            await pilot.press("escape")
            await pilot.pause()
        await pilot.press("ctrl+p")
        await pilot.pause(0.3)
        await pilot.press(*"help")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, HelpModal)
        assert "Help · Home" in screen_text(app)  # the screen under the palette


# --- themes ----------------------------------------------------------------------------------

BARS = set(" ━╸╺─▏")  # progress bars and separators: drawn, not read

def luminance(color: Color) -> float:
    def channel(value: int) -> float:
        v = value / 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(color.r) + 0.7152 * channel(color.g) + 0.0722 * channel(color.b)


def contrast(a: Color, b: Color) -> float:
    """WCAG contrast ratio (1 to 21)."""
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def colors(segment: Segment) -> tuple[Color, Color | None]:
    style = segment.style
    assert style is not None and style.bgcolor is not None
    background = Color.from_rich_color(style.bgcolor)
    foreground = Color.from_rich_color(style.color) if style.color else None
    return background, foreground


async def test_every_builtin_theme_shows_header_and_footer(make: AppFactory) -> None:
    app = make("review")
    async with app.run_test(size=SIZE) as pilot:
        themes = [n for n in sorted(app.available_themes) if not n.startswith("ansi")]
        assert {"textual-dark", "textual-light", "solarized-light", "nord", "gruvbox"} \
            <= set(themes)
        for screen in ("question", "home"):
            if screen == "home":
                await pilot.press("escape")
                await pilot.pause()
                assert isinstance(app.screen, HomeScreen)
            for theme in themes:
                app.theme = theme
                await pilot.pause()
                strips = app.screen._compositor.render_strips()
                header, footer = list(strips[0]), list(strips[-1])
                bar = colors(header[0])[0]
                page = Color.parse(app.theme_variables["background"])
                # The whole bar, empty part included, stands apart from the page...
                assert contrast(bar, page) >= 1.25, (screen, theme, bar.hex, page.hex)
                # ...and what is written on it and on the footer reads.
                for segment in header + footer:
                    background, foreground = colors(segment)
                    if foreground is not None and not set(segment.text) <= BARS:
                        assert contrast(background, foreground) >= 2.5, \
                            (screen, theme, segment.text, foreground.hex, background.hex)
