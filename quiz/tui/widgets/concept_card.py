"""A concept card: what a question tests, where the idea comes from, and where to read more."""

from __future__ import annotations

from functools import lru_cache

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.style import Style
from textual.widgets import Static

from quiz.bank import Concept
from quiz.textsafe import has_control
from quiz.tui.text import is_plain_prose, literal, prose, shown
from quiz.tui.widgets.prose import markdown_widget

LABEL = "$text-muted"
CAVEAT = "bold $text-warning"


def references(source_title: str | None, docs: list[str]) -> Content:
    """'Source  <section title>' and the docs links (clickable), one a line.

    A link with a control character in it is shown escaped and not made clickable: its target
    would reach the terminal as written.
    """
    lines: list[Content] = []
    if source_title:
        lines.append(Content.assemble(("Source  ", LABEL), literal(source_title)))
    if docs:
        lines.append(Content.styled("Docs", LABEL))
        lines += [Content.styled(shown(url), Style(link=url, underline=True))
                  if not has_control(url) else literal(url) for url in docs]
    return Content("\n").join(lines)


class ConceptCard(Vertical):
    """Title (as the border title), summary, source section, docs links and caveat."""

    def __init__(self, concept: Concept, source_title: str | None) -> None:
        super().__init__(classes="concept-card")
        self.concept = concept
        self.source_title = source_title
        self.border_title = literal(concept.title)

    def compose(self) -> ComposeResult:
        concept = self.concept
        yield markdown_widget(concept.summary, "concept-summary")
        if self.source_title or concept.docs:
            yield Static(references(self.source_title, concept.docs), classes="concept-refs")
        if concept.caveat:
            if is_plain_prose(concept.caveat):
                yield Static(Content.assemble(("Caveat  ", CAVEAT), prose(concept.caveat)),
                             classes="concept-caveat")
            else:
                yield Static(literal("Caveat", CAVEAT), classes="concept-caveat")
                yield markdown_widget(concept.caveat, "concept-caveat")


def concept_card(concept: Concept, source_title: str | None) -> Static | ConceptCard:
    """The cheapest widget for a concept card: one Static when its summary and caveat are
    plain prose (nearly always; the feedback screen is on the hot path), else a ConceptCard."""
    text = plain_card_text(concept, source_title)
    if text is None:
        return ConceptCard(concept, source_title)
    card = Static(text, classes="concept-card")
    card.border_title = literal(concept.title)
    return card


def plain_card_text(concept: Concept, source_title: str | None) -> Content | None:
    """A card's whole text when its summary and caveat are plain prose, else None. Cached:
    the question screen builds it while the question is read (feedback_view.warm_up)."""
    return _plain_card_text(concept.summary, source_title, tuple(concept.docs), concept.caveat)


@lru_cache(maxsize=32)
def _plain_card_text(summary: str, source_title: str | None, docs: tuple[str, ...],
                     caveat: str | None) -> Content | None:
    if not is_plain_prose(summary) or (caveat and not is_plain_prose(caveat)):
        return None
    parts = [prose(shown(summary))]
    if source_title or docs:
        parts.append(references(source_title, list(docs)))
    if caveat:
        parts.append(Content.assemble(("Caveat  ", CAVEAT), prose(shown(caveat))))
    return Content("\n\n").join(parts)
