"""A question with its answer revealed, as browse opens it: the feedback view with nothing
picked (every choice marked right or wrong, with its why), then the question's review history."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from fsrs import Rating
from textual.app import ComposeResult
from textual.content import Content
from textual.widgets import Static

from quiz.bank import Bank, Question
from quiz.session import ChoiceResult, Feedback
from quiz.store import ReviewEntry
from quiz.tui.text import literal
from quiz.tui.widgets.feedback_view import FeedbackView

RATINGS = {Rating.Again: "again", Rating.Hard: "hard", Rating.Good: "good", Rating.Easy: "easy"}


def revealed(question: Question) -> Feedback:
    """The question as a feedback with no answer: what ``FeedbackView`` draws, nothing picked."""
    choices = tuple(ChoiceResult(c.text, c.why, picked=False, correct=c.correct)
                    for c in question.choices)
    return Feedback(question=question, correct=True, choices=choices, log_id=0,
                    rating=Rating.Good, due=None, can_regrade=False)


def answer_line(question: Question) -> Content:
    """'Answer: 2' or 'Answers: 1, 3 (select all that apply)', in bank order."""
    numbers = [str(n) for n, c in enumerate(question.choices, 1) if c.correct]
    if len(numbers) == 1:
        return Content.assemble(("Answer: ", "bold"), (numbers[0], "bold $text-success"))
    return Content.assemble(("Answers: ", "bold"), (", ".join(numbers), "bold $text-success"),
                            (" (select all that apply)", "$text-muted"))


def history_text(entries: Sequence[ReviewEntry], question: Question) -> Content:
    """One line per logged answer, newest first: date, right/wrong, what was picked, rating,
    mode. Picks are the numbers the learner saw (the choices were shuffled), with the numbers
    of the choices above (bank order) beside them; an answer logged without its order (before
    schema 4) shows bank numbers only, and says so."""
    if not entries:
        return literal("Never answered.", "$text-muted")
    lines = []
    for entry in reversed(entries):
        local: datetime = entry.answered_at.astimezone()
        mark = ("✓ right", "$text-success") if entry.correct else ("✗ wrong", "$text-error")
        picked = picked_text(entry)
        # a log from before the answer key changed names choices the question no longer has
        stale = " (old answer key)" if entry.fingerprint != question.fingerprint() else ""
        lines.append(Content.assemble(
            (f"{local:%Y-%m-%d %H:%M}  ", "$text-muted"), mark,
            f"  picked {picked:<15} {RATINGS.get(entry.rating, str(entry.rating)):<6} "
            f"{entry.mode}", (stale, "$text-muted")))
    return Content("\n").join(lines)


def picked_text(entry: ReviewEntry) -> str:
    """'2 (no. 3 here)': the number shown when answering, then the bank number of the choices
    above; '3 (bank order)' when the order it was shown in is not known."""
    bank = ", ".join(str(i + 1) for i in entry.picked) or "–"
    order = entry.shown_order
    if order is None or not all(i in order for i in entry.picked):
        return f"{bank} (bank order)"
    shown = ", ".join(str(n) for n in sorted(order.index(i) + 1 for i in entry.picked))
    return shown if shown == bank else f"{shown} (no. {bank} here)"


class QuestionReveal(FeedbackView):
    """Stem, the answer, every choice marked with its why, explanation, concepts, history."""

    show_picks = False  # nobody answered

    def __init__(self, bank: Bank, question: Question, history: Sequence[ReviewEntry],
                 **widget_options: Any) -> None:
        super().__init__(bank, revealed(question), show_stem=True, **widget_options)
        self.history = history

    def compose(self) -> ComposeResult:
        question = self.feedback.question
        for widget in super().compose():
            if widget.id == "verdict":
                widget = Static(answer_line(question), id="verdict")
            yield widget
        yield Static(literal("History"), classes="section-title")
        yield Static(history_text(self.history, question), id="history")
