"""What the user sees after answering: the question (collapsible), the verdict, every choice
marked, the explanation and the concept cards. Used by the feedback screen and, for a missed
question, by its modal; browse's reveal builds on it."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any, cast

from fsrs import Rating
from rich.cells import cell_len
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.geometry import Size
from textual.widget import Widget
from textual.widgets import Static

from quiz.bank import Bank, Question
from quiz.session import ChoiceResult, Feedback, Showing
from quiz.tui.text import fenced_blocks, inline, is_plain_prose, literal, plural, prose, shown
from quiz.tui.widgets.concept_card import concept_card, plain_card_text
from quiz.tui.widgets.prose import markdown_widget

if TYPE_CHECKING:
    from textual.widget import AwaitMount

KEY = "bold $text-accent"
TITLE = "bold $text-primary"  # as .section-title draws a title alone
# What inline Markdown drops at most (its markers), for a count that never exceeds the text's.
_INLINE_MARKERS = re.compile(r"[*_`]")
COLLAPSED_STEM_ROWS = 4  # quiz.tcss: .feedback-view #stem.-collapsed { max-height: 4 }


def verdict(feedback: Feedback) -> Content:
    """'✓ Correct' or '✗ Incorrect: the answer is 2' (displayed numbers)."""
    if feedback.correct:
        return literal("✓ Correct", "bold $text-success")
    numbers = [str(n) for n, c in enumerate(feedback.choices, 1) if c.correct]
    answer = (f"the answer is {numbers[0]}" if len(numbers) == 1
              else f"the answers are {', '.join(numbers[:-1])} and {numbers[-1]}")
    return Content.assemble(("✗ Incorrect", "bold $text-error"), f": {answer}")


@lru_cache(maxsize=16)
def explanation_text(explanation: str) -> Content | None:
    """An explanation in plain prose (nearly always) under its title, as one Content; None
    for other Markdown. Cached: built while the question is read (``warm_up``)."""
    explanation = shown(explanation)
    if not is_plain_prose(explanation):
        return None
    return Content.assemble(literal("Explanation", TITLE), "\n\n", prose(explanation))


def warm_up(bank: Bank, question: Question) -> None:
    """Build the text the feedback on ``question`` shows whatever the answer (explanation,
    concept cards) ahead of it: the question screen calls this while the user reads."""
    explanation_text(question.explanation)
    for concept in bank.concepts_of(question):
        source = bank.sources.get(concept.source)
        plain_card_text(concept, source.title if source else None)


def unanswered(showing: Showing) -> Feedback:
    """The feedback on ``showing`` as far as it is known before the answer: its choices in
    their order, right or wrong, nothing picked (``FeedbackView(..., answered=False)``)."""
    choices = tuple(ChoiceResult(c.text, c.why, picked=False, correct=c.correct)
                    for c in showing.choices)
    return Feedback(question=showing.question, correct=False, choices=choices, log_id=0,
                    rating=Rating.Again, due=None, can_regrade=False)


class MarkedChoices(Widget):
    """Every choice after answering, in one widget (the feedback screen is on the hot path:
    each widget costs a style pass): number, the user's pick, right or wrong, then the text
    and why, wrapped with a hanging indent.

    ``show_picks=False``: no pick boxes (browse's reveal: nobody answered).
    """

    def __init__(self, choices: Sequence[ChoiceResult], *, multi: bool,
                 show_picks: bool = True, **widget_options: Any) -> None:
        super().__init__(**widget_options)
        self.choices = tuple(choices)
        self.multi = multi
        self.show_picks = show_picks
        self._wrapped: tuple[int, list[Content]] | None = None

    def marker(self, number: int, choice: ChoiceResult) -> Content:
        """'1 (•) ✗': the number, the pick box and the verdict."""
        box = ""
        if self.show_picks:
            box = ("[x] " if choice.picked else "[ ] ") if self.multi \
                else ("(•) " if choice.picked else "( ) ")
        mark = ("✓", "$text-success") if choice.correct else ("✗", "$text-error")
        return Content.assemble(f"{number} {box}", mark, " ")

    def lines(self, width: int) -> list[Content]:
        """The choices as lines of ``width`` cells at most."""
        if self._wrapped is not None and self._wrapped[0] == width:
            return self._wrapped[1]
        indent = max(self.marker(len(self.choices), c).cell_length for c in self.choices)
        text_width = max(10, width - indent)
        out: list[Content] = []
        for number, choice in enumerate(self.choices, 1):
            style = "$text-success" if choice.correct else (
                "$text-error" if choice.picked else "")
            body = inline(choice.text, style).wrap(text_width)
            if choice.why:
                body += inline(choice.why, "$text-muted").wrap(text_width)
            marker = self.marker(number, choice)
            lead = marker.pad_right(indent - marker.cell_length)
            rows = [Content.assemble(lead if i == 0 else " " * indent, line)
                    for i, line in enumerate(body or [Content("")])]
            if choice.picked and self.show_picks:
                rows = [row.pad_right(width - row.cell_length).stylize_before("on $boost")
                        for row in rows]
            out += rows
        self._wrapped = (width, out)
        return out

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self.lines(width))

    def set_choices(self, choices: Sequence[ChoiceResult]) -> None:
        """Mark these instead: the same choices, in the same order, picked as answered (the
        lines keep their count: only the picked ones' background changes)."""
        assert [(c.text, c.why) for c in choices] == [(c.text, c.why) for c in self.choices]
        self.choices = tuple(choices)
        self._wrapped = None
        self.refresh()

    def render(self) -> Content:
        return Content("\n").join(self.lines(self.content_region.width))


class FeedbackView(VerticalScroll, can_focus=True):
    """The whole feedback for one answer; scrolls with arrows and PageUp/PageDown.

    ``show_stem``: the question first; ``collapse_stem``: cut to a few lines until
    ``toggle_stem`` (the feedback screen's ``s``), so a long manifest stays one key away.
    ``focus_first``: take the focus as it is mounted, before its children are (see compose).
    ``defer_below``: concept cards sure to start below the view are left out of the first
    frame; ``mount_deferred`` adds them once it is drawn (see ``_concepts_below``).
    ``answered=False``: built before the answer, from ``unanswered(showing)``: no verdict and
    nothing picked until ``answer`` gives the real feedback.
    """

    BINDINGS = [
        Binding("up", "scroll_up", "Scroll up", show=False),
        Binding("down", "scroll_down", "Scroll down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("home", "scroll_home", "Top", show=False),
        Binding("end", "scroll_end", "Bottom", show=False),
    ]

    show_picks = True  # the reveal of browse has none

    def __init__(self, bank: Bank, feedback: Feedback, *, show_stem: bool = False,
                 collapse_stem: bool = False, focus_first: bool = False,
                 defer_below: bool = False, answered: bool = True,
                 **widget_options: Any) -> None:
        super().__init__(classes="feedback-view", **widget_options)
        self.answered = answered
        self.focus_first = focus_first
        self.defer_below = defer_below
        self._deferred: list[Widget] = []  # the concepts' title and cards, not mounted yet
        self.bank = bank
        self.feedback = feedback
        self.show_stem = show_stem
        self.collapse_stem = collapse_stem
        self.stem_expanded = not collapse_stem

    def compose(self) -> ComposeResult:
        if self.focus_first:
            # Focused now, while it has no children: a focus change restyles the widget with
            # its whole subtree (:focus), and once the feedback is mounted that is every widget
            # of it again (~4 ms between Enter and the feedback, on a 2-core machine).
            self.has_focus = True
            self.screen.set_focus(self, scroll_visible=False)
        feedback = self.feedback
        q = feedback.question
        if self.show_stem:
            # Classes given as it is built: a class added once it exists costs a style pass.
            stem = markdown_widget(q.question, "stem -collapsed" if self.collapse_stem
                                   else "stem")
            if self.collapse_stem:
                stem.id = "stem"  # its "s show the whole question" comes once laid out
            yield stem
        if self.answered:
            yield Static(verdict(feedback), id="verdict",
                         classes="-correct" if feedback.correct else "-wrong")
        else:
            yield Static(id="verdict")
        yield MarkedChoices(feedback.choices, multi=q.is_multi, show_picks=self.show_picks,
                            id="marked-choices")
        plain = explanation_text(q.explanation)
        if plain is not None:  # nearly always: title and text as one widget
            yield Static(plain, classes="explanation prose section-text",
                         id="explanation-title")
        else:
            yield Static(literal("Explanation"), classes="section-title",
                         id="explanation-title")
            yield markdown_widget(q.explanation, "explanation")
        concepts = self.bank.concepts_of(q)
        if not concepts:
            return
        title = "Concept" if len(concepts) == 1 else "Concepts"
        section: list[Widget] = [Static(literal(title), classes="section-title",
                                        id="concepts-title")]
        for concept in concepts:
            source = self.bank.sources.get(concept.source)
            section.append(concept_card(concept, source.title if source else None))
        if self.defer_below and plain is not None and self._concepts_below(q.question, plain):
            self._deferred = section
        else:
            yield from section

    def _concepts_below(self, stem: str, explanation: Content) -> bool:
        """Whether the concepts' title is sure to start below the view whatever the layout
        decides: the rows above it, at their fewest (the widest the text can be, without a
        scrollbar or the choices' indent, each row full; the stem as short as it can be),
        fill the tallest the view can be (the screen less the header, the grade line and the
        footer). Then the view scrolls with or without the cards, and leaving them out of the
        first frame moves nothing in it (two widgets or more less to style and lay out before
        it, on the hot path). Counted without wrapping anything; the margins are quiz.tcss's."""
        width, height = self.app.size
        width -= 4  # .feedback-view: padding 1 2 0 2
        rows = 1  # the padding
        if self.show_stem:
            rows += min(COLLAPSED_STEM_ROWS, _rows_at_least(stem)) if self.collapse_stem \
                else _rows_at_least(stem)
        rows += 3  # the verdict and its margins (#feedback #verdict)
        for choice in self.feedback.choices:  # #marked-choices: padding 0 1
            rows += _full_rows(_INLINE_MARKERS.sub("", choice.text), width - 2)
            if choice.why:
                rows += _full_rows(_INLINE_MARKERS.sub("", choice.why), width - 2)
        rows += 1 + sum(_full_rows(line, width) for line in explanation.plain.split("\n"))
        rows += 1  # the concepts' title's margin
        return rows >= height - 3

    def answer(self, feedback: Feedback) -> None:
        """The verdict and the picks of ``feedback``, the answer to the question this view was
        built for (``answered=False``) with the choices in the same order."""
        assert not self.answered and feedback.question is self.feedback.question
        self.feedback = feedback
        self.answered = True
        verdict_line = self.query_one("#verdict", Static)
        verdict_line.update(verdict(feedback))
        verdict_line.set_classes("-correct" if feedback.correct else "-wrong")
        self.query_one(MarkedChoices).set_choices(feedback.choices)

    def mount_deferred(self) -> AwaitMount | None:
        """Mount what ``defer_below`` left out of the first frame (None: there was nothing)."""
        if not self._deferred:
            return None
        mounting = self.mount_all(self._deferred)
        self._deferred = []
        return mounting

    # --- the stem -----------------------------------------------------------------------------

    def stem_cut(self) -> bool:
        """Whether the collapsed stem hides some of its lines."""
        stems = self.query("#stem")
        if not stems or self.stem_expanded:
            return False
        stem = stems.first()
        return stem.virtual_size.height > stem.size.height or \
            _natural_height(stem) > stem.size.height

    def _stem_more(self) -> Static:
        """The line under the stem that says how to expand or collapse it; mounted when first
        needed (after layout: one widget less before the first frame, on the hot path)."""
        mores = self.query("#stem-more")
        if mores:
            return cast(Static, mores.first())
        more = Static(Content.assemble(("s", KEY), " show the whole question"), id="stem-more")
        self.mount(more, after=self.query_one("#stem"))
        return more

    def show_stem_more(self) -> None:
        """Say how to see the rest of a cut stem (after layout: only then is it known)."""
        if not self.query("#stem"):
            return
        cut = not self.stem_expanded and self.stem_cut()
        if cut:
            self._stem_more().display = True
        elif self.query("#stem-more"):
            self.query_one("#stem-more").display = False

    def toggle_stem(self) -> bool:
        """Expand or collapse the stem; whether it is expanded now."""
        stems = self.query("#stem")
        if not stems:
            return False
        self.stem_expanded = not self.stem_expanded
        stems.first().set_class(not self.stem_expanded, "-collapsed")
        more = self._stem_more()
        if self.stem_expanded:
            more.update(Content.assemble(("s", KEY), " collapse the question"))
            more.display = True
        else:
            more.update(Content.assemble(("s", KEY), " show the whole question"))
            self.call_after_refresh(self.show_stem_more)
        return self.stem_expanded

    # --- what is below ------------------------------------------------------------------------

    def section(self, name: str) -> Widget | None:
        """The title of the explanation or the concepts ("explanation", "concepts")."""
        found = self.query(f"#{name}-title")
        return found.first() if found else None

    def below(self) -> list[str]:
        """The sections that start below what is in view: 'explanation', '2 concepts'."""
        bottom = self.scroll_y + self.scrollable_content_region.height
        out = []
        explanation = self.section("explanation")
        if explanation is not None and explanation.virtual_region.y >= bottom:
            out.append("explanation")
        concepts = self.section("concepts")
        if concepts is not None and concepts.virtual_region.y >= bottom:
            out.append(plural(len(self.bank.concepts_of(self.feedback.question)), "concept"))
        return out

    def jump_to(self, name: str) -> bool:
        """Scroll a section's title to the top; False if there is no such section."""
        target = self.section(name)
        if target is None:
            return False
        self.scroll_to_widget(target, top=True, animate=False)
        return True


def _rows_at_least(markdown: str) -> int:
    """The fewest rows bank Markdown can take at any width: one per prose block and per line
    of a code block, one between blocks (their margins); one for anything else."""
    blocks = fenced_blocks(shown(markdown))
    if not blocks:
        return 1
    return 2 * len(blocks) - 1 + sum(text.count("\n") for text, language in blocks
                                     if language is not None)


def _full_rows(text: str, width: int) -> int:
    """The fewest rows ``text`` can wrap to at ``width``: each one full."""
    return max(1, -(-cell_len(" ".join(text.split())) // max(1, width)))


def _natural_height(widget: Widget) -> int:
    """How many lines ``widget`` would take without its max-height."""
    width = widget.content_region.width or widget.size.width
    if isinstance(widget, Static):
        return widget.get_content_height(widget.size, widget.size, width)
    return sum(child.outer_size.height for child in widget.children)
