"""Bank Markdown split for the fast widgets: which texts skip Textual's Markdown widget."""

from __future__ import annotations

import pytest

from quiz.bank import load_bank
from quiz.paths import bundled_bank
from quiz.tui.text import fenced_blocks, is_plain_prose

FENCE = "```"


def test_paragraphs_and_fences_in_order() -> None:
    text = (f"Given this policy:\n\n{FENCE}yaml\nkind: NetworkPolicy\n  spec: {{}}\n{FENCE}\n\n"
            f"and this one\nover two lines:\n\n~~~~\nraw\n\n  kept\n~~~~\n\nWhich is **true**?\n")
    assert fenced_blocks(text) == [
        ("Given this policy:", None),
        ("kind: NetworkPolicy\n  spec: {}", "yaml"),
        ("and this one\nover two lines:", None),
        ("raw\n\n  kept", ""),
        ("Which is **true**?", None),
    ]


@pytest.mark.parametrize("text", [
    f"- a list\n\n{FENCE}yaml\na: 1\n{FENCE}",  # other block syntax around a fence
    f"{FENCE}yaml\na: 1\n",  # never closed
    f"{FENCE}yaml\na: 1\n~~~",  # closed by the other kind
    f"text\n\n  {FENCE}yaml\n  a: 1\n  {FENCE}",  # indented fence
    f"{FENCE}yaml\na: 1\n{FENCE}\n\n# Heading",
])
def test_anything_else_is_left_to_the_markdown_widget(text: str) -> None:
    assert fenced_blocks(text) is None


def test_nearly_every_bundled_stem_skips_the_markdown_widget() -> None:
    bank = load_bank([bundled_bank()])
    stems = [q.question for q in bank.questions.values()]
    fast = [s for s in stems if is_plain_prose(s) or fenced_blocks(s) is not None]
    assert len(fast) >= 0.95 * len(stems)
