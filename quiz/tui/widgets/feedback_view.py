"""What the user sees after answering: the verdict, every choice marked, the explanation and
the concept cards. Used by the feedback screen and, for a missed question, by its modal."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Static

from quiz.bank import Bank
from quiz.session import Feedback
from quiz.tui.text import inline, literal
from quiz.tui.widgets.concept_card import ConceptCard
from quiz.tui.widgets.prose import markdown_widget


def verdict(feedback: Feedback) -> Content:
    """'✓ Correct' or '✗ Incorrect: the answer is 2' (displayed numbers)."""
    if feedback.correct:
        return literal("✓ Correct", "bold $text-success")
    numbers = [str(n) for n, c in enumerate(feedback.choices, 1) if c.correct]
    answer = (f"the answer is {numbers[0]}" if len(numbers) == 1
              else f"the answers are {', '.join(numbers[:-1])} and {numbers[-1]}")
    return Content.assemble(("✗ Incorrect", "bold $text-error"), f": {answer}")


class MarkedChoice(Horizontal):
    """One choice after answering: number, the user's pick, right or wrong, text and why."""

    def __init__(self, number: int, text: str, why: str | None, *, multi: bool,
                 picked: bool, correct: bool) -> None:
        classes = "marked-choice " + ("-correct" if correct else "-wrong")
        super().__init__(classes=classes + (" -picked" if picked else ""))
        self.number, self.text, self.why = number, text, why
        self.multi, self.picked, self.correct = multi, picked, correct

    def pick_box(self) -> str:
        """'[x] ' / '(•) ' and so on: what the user picked (empty when nobody answered)."""
        box = ("[x]" if self.picked else "[ ]") if self.multi else ("(•)" if self.picked else "( )")
        return f"{box} "

    def compose(self) -> ComposeResult:
        mark = ("✓", "$text-success") if self.correct else ("✗", "$text-error")
        yield Static(Content.assemble(f"{self.number} {self.pick_box()}", mark),
                     classes="marked-marker")
        body = inline(self.text)
        if self.why:
            body = Content.assemble(body, "\n", inline(self.why, "$text-muted"))
        yield Static(body, classes="marked-body")


class FeedbackView(VerticalScroll, can_focus=True):
    """The whole feedback for one answer; scrolls with arrows and PageUp/PageDown."""

    BINDINGS = [
        Binding("up", "scroll_up", "Scroll up", show=False),
        Binding("down", "scroll_down", "Scroll down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("home", "scroll_home", "Top", show=False),
        Binding("end", "scroll_end", "Bottom", show=False),
    ]

    def __init__(self, bank: Bank, feedback: Feedback, *, show_stem: bool = False,
                 **widget_options: Any) -> None:
        super().__init__(classes="feedback-view", **widget_options)
        self.bank = bank
        self.feedback = feedback
        self.show_stem = show_stem

    def compose(self) -> ComposeResult:
        feedback = self.feedback
        q = feedback.question
        if self.show_stem:
            yield markdown_widget(q.question, "stem")
        yield Static(verdict(feedback), id="verdict",
                     classes="-correct" if feedback.correct else "-wrong")
        with Vertical(id="marked-choices"):
            for number, choice in enumerate(feedback.choices, 1):
                yield MarkedChoice(number, choice.text, choice.why, multi=q.is_multi,
                                   picked=choice.picked, correct=choice.correct)
        yield Static(literal("Explanation"), classes="section-title")
        yield markdown_widget(q.explanation, "explanation")
        concepts = self.bank.concepts_of(q)
        if concepts:
            title = "Concept" if len(concepts) == 1 else "Concepts"
            yield Static(literal(title), classes="section-title")
            for concept in concepts:
                source = self.bank.sources.get(concept.source)
                yield ConceptCard(concept, source.title if source else None)
