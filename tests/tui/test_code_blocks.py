"""A code block built before a start's first frame shows its text plain in that frame (the
highlighter loads after it) and is highlighted in place right after, nothing moved; once the
highlighter is loaded, a code block is highlighted as it is built."""

from __future__ import annotations

import sys

import pytest
from textual.content import Content

from quiz.tui.app import QuizApp
from quiz.tui.widgets.prose import CodeBlock, _highlighted
from tests.tui.conftest import SIZE, AppFactory, screen_text


async def test_a_code_block_in_the_first_frame_is_highlighted_just_after_it(
        make: AppFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(sys.modules, "textual.highlight", raising=False)  # a fresh process
    _highlighted.cache_clear()  # (its cache would spare the import)
    first: list[tuple[bool, Content, str]] = []
    display = QuizApp._display

    def shown(self: QuizApp, screen: object, renderable: object) -> None:
        display(self, screen, renderable)  # type: ignore[arg-type]
        if not first and self._first_frame_shown:
            block = self.screen.query_one(CodeBlock)
            first.append((block.plain, block.render(), screen_text(self)))  # type: ignore[arg-type]

    monkeypatch.setattr(QuizApp, "_display", shown)
    app = make("practice", concept="default-deny")  # one question, a YAML manifest in it
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        [(plain, before, text)] = first
        block = app.screen.query_one(CodeBlock)
        after = block.render()
        assert plain and not block.plain
        assert isinstance(before, Content) and isinstance(after, Content)
        assert not before.spans and after.spans  # the colours came after the first frame
        assert before.plain == after.plain and "kind: NetworkPolicy" in after.plain
        # The same characters in the same cells (the footer's keys come later, as ever).
        assert screen_text(app).splitlines()[:-1] == text.splitlines()[:-1]
    assert not CodeBlock("kind: Pod", "yaml").plain  # loaded now: highlighted when built
