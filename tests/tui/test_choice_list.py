"""A choice row draws its number and box, then its text wrapped beside them: every line of
a long choice starts under the first line's text, not under the number."""

from __future__ import annotations

from textual.app import App, ComposeResult

from quiz.tui.widgets.choice_list import ChoiceList, ChoiceRow

LONG = "The traffic between the two proxies is encrypted, **both ways**, by `mTLS`"


class Choices(App[None]):
    CSS = "ChoiceRow { height: auto; }"

    def compose(self) -> ComposeResult:
        yield ChoiceList([LONG, "Short"], multi=True, picked={1})


def lines(app: App[None]) -> list[str]:
    return [strip.text.rstrip() for strip in app.screen._compositor.render_strips()]


async def test_a_long_choice_wraps_under_its_own_text() -> None:
    app = Choices()
    async with app.run_test(size=(40, 8)) as pilot:
        await pilot.pause()
        shown = lines(app)
        assert shown[0] == "1 [ ] The traffic between the two"
        assert shown[1:4] == ["      proxies is encrypted, both",
                              "      ways, by mTLS", "2 [x] Short"]
        rows = list(app.query(ChoiceRow))
        assert [row.size.height for row in rows] == [3, 1]
        app.query_one(ChoiceList).pick(0)  # a number picked: only its box changes
        await pilot.pause()
        assert lines(app)[0].startswith("1 [x] The traffic") and lines(app)[3] == "2 [x] Short"
        assert rows[0].has_class("-picked")
