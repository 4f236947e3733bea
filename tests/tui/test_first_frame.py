"""The first frame a start writes to the terminal is its whole first screen: the footer with
its keys, the home screen's topic lines and heading at their real width. Textual draws it
inside the batch that wraps the app's mount and would drop it (drawing the screen again after
the start's same-size Resize); the app lets it through once nothing in it is still to come."""

from __future__ import annotations

from typing import Any

import pytest
from textual.app import App

from tests.tui.conftest import AppFactory, screen_text


@pytest.mark.parametrize(("start", "options"), [
    ("home", {}), ("review", {}), ("practice", {"concept": "default-deny"}), ("add", {})])
async def test_the_first_frame_written_is_the_whole_first_screen(
        make: AppFactory, monkeypatch: pytest.MonkeyPatch, tmp_path: Any, start: str,
        options: dict[str, Any]) -> None:
    written: list[str] = []
    display = App._display

    def spy(self: App[None], screen: Any, renderable: Any) -> None:
        # Textual writes a frame given with no batch open; one given in a batch it drops.
        if (renderable is not None and not written and not self._batch_count
                and len(self.screen_stack) > 1 and screen is self.screen):
            written.append(screen_text(self))  # type: ignore[arg-type]
        display(self, screen, renderable)

    monkeypatch.setattr(App, "_display", spy)
    if start == "add":
        options = {"user_bank": tmp_path / "mine"}
    app = make(start, **options)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert app._first_frame_shown and written
        first = written[0].splitlines()
        now = screen_text(app).splitlines()
        assert "^p palette" in first[-1] and first[-1] == now[-1]  # the footer's keys
        if start == "add":  # the fields below the preview come after it (test_question_form)
            top = next(i for i, line in enumerate(first) if "Preview" in line)
            assert [line[:-4] for line in first[:top]] == [line[:-4] for line in now[:top]]
        else:
            assert first == now
        if start == "home":
            head = next(line for line in first if line.lstrip().startswith("Topic"))
            assert head.rstrip().endswith("progress") and len(head.rstrip()) > 80
