"""quiz.tui.widgets.title_line: a title bar's left part is padded or cut with an ellipsis to
what its right part leaves; the right part keeps its width."""

from __future__ import annotations

from textual.content import Content

from quiz.tui.widgets.title_line import TitleParts


def test_the_left_part_is_padded_to_what_the_right_leaves() -> None:
    parts = TitleParts(Content("quiz  learner Ana"), Content("3 questions"))
    assert parts.line(40).plain == "quiz  learner Ana".ljust(29) + "3 questions"


def test_the_left_part_is_cut_with_an_ellipsis_and_the_right_kept_whole() -> None:
    parts = TitleParts(Content("quiz  learner Anastasia Papadopoulou"), Content("3 questions"))
    line = parts.line(30)
    assert line.plain == "quiz  learner Anas…3 questions"
    assert line.cell_length == 30
