"""One question of the bank, opened from browse: answer revealed, history; flag, suspend,
practise it on its own, edit it."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Static

from quiz.browse import question_state
from quiz.tui.text import literal, when
from quiz.tui.widgets.question_reveal import QuestionReveal

if TYPE_CHECKING:
    from quiz.bank import Question
    from quiz.tui.app import QuizApp


class QuestionDetailScreen(Screen[None]):
    """The question with its answer, rationale, concept cards and review history."""

    BINDINGS = [
        Binding("f", "flag", "Flag"),
        Binding("z", "suspend", "Suspend"),
        Binding("p", "practise", "Practise it"),
        Binding("e", "edit", "Edit"),
        Binding("escape", "app.pop_screen", "Back"),
    ]

    def __init__(self, question_id: str) -> None:
        super().__init__()
        self.question_id = question_id

    @property
    def quiz(self) -> QuizApp:
        return cast("QuizApp", self.app)

    @property
    def question(self) -> Question | None:
        """The question as the app's bank has it now (None once it is gone from the bank)."""
        return self.quiz.bank.questions.get(self.question_id)

    def compose(self) -> ComposeResult:
        question = self.question
        with Horizontal(classes="title-bar"):
            yield Static(self._title(), id="detail-title")
            yield Static(self._marks(), id="detail-state")
        yield Static(self._card_info(), id="detail-card")
        if question is None:
            yield Static(literal(f"{self.question_id} is no longer in the bank."),
                         id="detail-gone")
        else:
            history = self.quiz.store.logs(question_id=question.id)
            yield QuestionReveal(self.quiz.bank, question, history, id="detail-body")
        yield Footer()

    def on_mount(self) -> None:
        if self.query(QuestionReveal):
            self.query_one(QuestionReveal).focus()

    async def on_screen_resume(self) -> None:
        # back from a practice session (new history) or the edit form (new text)
        await self.recompose()
        self.on_mount()

    def _title(self) -> Content:
        question = self.question
        topic = self.quiz.bank.topics.get(question.topic) if question else None
        parts: list[str | tuple[str, str] | Content] = [literal(self.question_id, "bold")]
        if question is not None:
            parts += ["  ", literal(topic.title if topic else question.topic, "$text-muted")]
        return Content.assemble(*parts)

    def _card_info(self) -> Content:
        """Due, stability, difficulty, lapses, retrievability now and the fsrs state."""
        card = self.quiz.store.card(self.question_id)
        if card is None or card.is_new:
            lapses = f" · lapses {card.lapses}" if card is not None and card.lapses else ""
            return literal(f"Card: new, not reviewed yet{lapses}", "$text-muted")
        now = self.quiz.now()
        fsrs = card.card
        recall = self.quiz.store.scheduler().get_card_retrievability(fsrs, now)
        parts = [f"due {when(card.due, now)}",
                 f"stability {fsrs.stability or 0:.1f} d",
                 f"difficulty {fsrs.difficulty or 0:.1f}",
                 f"lapses {card.lapses}", f"recall now {recall:.0%}", fsrs.state.name.lower()]
        return literal("Card: " + " · ".join(parts), "$text-muted")

    def _marks(self) -> Content:
        card = self.quiz.store.card(self.question_id)
        state = question_state(card, self.quiz.now())
        parts: list[str | tuple[str, str]] = []
        if card is not None and card.leech:
            parts.append(("leech  ", "bold $text-error"))
        if card is not None and card.flagged:
            parts.append(("⚑ flagged  ", "bold $text-warning"))
        parts.append((state, "$text-error" if state == "suspended" else "$text-accent"))
        return Content.assemble(*parts)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("practise", "edit") and self.question is None:
            return None
        return True

    def action_flag(self) -> None:
        card = self.quiz.store.card(self.question_id)
        flagged = not (card is not None and card.flagged)
        self.quiz.store.set_flagged(self.question_id, flagged)
        self.query_one("#detail-state", Static).update(self._marks())
        self.notify("Flagged for a later look." if flagged else "Flag removed.", timeout=2)

    def action_suspend(self) -> None:
        card = self.quiz.store.card(self.question_id)
        suspended = not (card is not None and card.suspended)
        self.quiz.store.set_suspended(self.question_id, suspended)
        self.query_one("#detail-state", Static).update(self._marks())
        self.notify("Suspended: reviews will not ask it." if suspended
                    else "Back in the review schedule.", timeout=3)

    def action_practise(self) -> None:
        question = self.question
        if question is not None:
            self.quiz.practise([question])

    def action_edit(self) -> None:
        self.quiz.open_edit(self.question_id)
