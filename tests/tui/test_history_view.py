"""The hardest-questions lines: each question's opening words, never its manifest's fence."""

from __future__ import annotations

from dataclasses import replace

from quiz.activity import HardQuestion
from quiz.bank import Bank
from quiz.tui.widgets.history_view import hard_lines


def test_a_stem_with_a_manifest_shows_its_opening_paragraph(bank: Bank) -> None:
    question = next(iter(bank.questions.values()))
    fenced = replace(question, question="Which pods can reach `db`?\n\n```yaml\nkind: Pod\n```")
    bank.questions[question.id] = fenced
    lines = hard_lines(bank, [HardQuestion(question.id, 5, 2, 1, False)], 120,
                       key=lambda q: f"{q.rate:.0%}").plain
    assert f"{question.id}  Which pods can reach `db`?" in lines
    assert "```" not in lines and "kind" not in lines
