"""LazySelect: no option list is mounted with it; its label shows its value all the same, and
opening it (keys or mouse) or ``mount_overlay`` mounts the list, highlighted on the value.
Changing its value or prompt before then works as a Select's."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Select, Static
from textual.widgets._select import SelectCurrent, SelectOverlay

from quiz.tui.widgets.lazy_select import LazySelect

OPTIONS = [("one", 1), ("two", 2), ("three", 3)]


class WithLazySelects(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.changes: list[object] = []

    def compose(self) -> ComposeResult:
        yield LazySelect(OPTIONS, value=2, compact=True, id="set")
        yield LazySelect(OPTIONS, prompt="Pick one", id="blank")

    def on_select_changed(self, event: Select.Changed) -> None:
        self.changes.append(event.value)


def label(select: Select) -> str:
    return str(select.query_one(SelectCurrent).query_one("#label", Static).render())


async def test_a_lazy_select_shows_its_value_with_no_option_list_mounted() -> None:
    app = WithLazySelects()
    async with app.run_test() as pilot:
        await pilot.pause()
        chosen, blank = app.query_one("#set", Select), app.query_one("#blank", Select)
        assert not chosen.query(SelectOverlay) and not blank.query(SelectOverlay)
        assert (label(chosen), label(blank)) == ("two", "Pick one")
        assert app.changes == [2]  # the initial value, announced as a Select does
        blank.value = 3  # set by code before the list is mounted
        blank.prompt = "Choose"
        await pilot.pause()
        assert label(blank) == "three" and app.changes == [2, 3]
        blank.clear()
        await pilot.pause()
        assert label(blank) == "Choose" and app.changes == [2, 3, Select.NULL]


async def test_mount_overlay_fills_the_list_and_highlights_the_value() -> None:
    app = WithLazySelects()
    async with app.run_test() as pilot:
        chosen = app.query_one("#set", LazySelect)
        await chosen.mount_overlay()
        await chosen.mount_overlay()  # once
        await pilot.pause()
        overlay = chosen.query_one(SelectOverlay)
        assert len(chosen.query(SelectOverlay)) == 1
        assert overlay.option_count == 4  # the blank option first, as a Select's
        assert overlay.highlighted == 2
        assert overlay.compact and overlay.has_class("-textual-compact")


async def test_opening_a_lazy_select_mounts_its_list_and_picks_an_option() -> None:
    app = WithLazySelects()
    async with app.run_test() as pilot:
        blank = app.query_one("#blank", Select)
        blank.focus()
        await pilot.press("enter")
        await pilot.pause()
        assert blank.expanded and blank.query_one(SelectOverlay).display
        await pilot.press("down", "down", "enter")
        await pilot.pause()
        assert blank.value == 2 and not blank.expanded and label(blank) == "two"


async def test_clicking_a_lazy_select_opens_it() -> None:
    app = WithLazySelects()
    async with app.run_test() as pilot:
        await pilot.click("#set")
        await pilot.pause()
        chosen = app.query_one("#set", Select)
        assert chosen.expanded and chosen.query_one(SelectOverlay).highlighted == 2
