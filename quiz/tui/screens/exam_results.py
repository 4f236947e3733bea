"""A handed-in exam: score, pass or fail, per-topic bars, time used; then every question
reviewed with the study feedback view (missed ones first)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from quiz.exam import paper_pool
from quiz.scheduling import rating_for
from quiz.session import ChoiceResult, Feedback
from quiz.textsafe import first_paragraph
from quiz.tui.screens.summary import retry
from quiz.tui.text import clip, inline, literal
from quiz.tui.widgets.charts import score_bar
from quiz.tui.widgets.countdown import clock_text
from quiz.tui.widgets.feedback_view import FeedbackView

if TYPE_CHECKING:
    from quiz.bank import Bank
    from quiz.exam import ExamRun
    from quiz.exam_marking import ExamResult, GradedAnswer
    from quiz.tui.app import QuizApp

TOPIC_WIDTH = 34
BAR_WIDTH = 24
MIN_ROW = 74  # one review line at 80 columns; wider terminals show more of each stem


@dataclass(frozen=True)
class ReviewItem:
    """One question of the paper, as the review list and its modal show it."""

    number: int  # on the paper, 1-based
    feedback: Feedback
    answered: bool
    flagged: bool

    @property
    def status(self) -> str:
        """'right', 'wrong' or 'unanswered'."""
        return "right" if self.feedback.correct else ("wrong" if self.answered else "unanswered")


def answer_feedback(answer: GradedAnswer, order: Sequence[int], log_id: int = 0) -> Feedback:
    """A graded exam answer as the feedback a study answer gets (choices as displayed)."""
    q = answer.question
    picked = set(answer.picked)
    choices = tuple(ChoiceResult(q.choices[i].text, q.choices[i].why, i in picked,
                                 q.choices[i].correct) for i in order)
    return Feedback(q, answer.correct, choices, log_id=log_id, rating=rating_for(answer.correct),
                    due=None, can_regrade=False)


def review_items(run: ExamRun, result: ExamResult) -> list[ReviewItem]:
    """Every question, missed (wrong, then unanswered) first, then right; paper order within."""
    logs = {e.question_id: e.id for e in run.store.logs(session_id=result.attempt_id)}
    flags = [item.flagged for item in run.jump_list()]
    items = []
    for i, answer in enumerate(result.answers):
        order = run.goto(i).order  # the paper is handed in: moving its cursor changes nothing
        feedback = answer_feedback(answer, order, logs.get(answer.question.id, 0))
        items.append(ReviewItem(i + 1, feedback, bool(answer.picked), flags[i]))
    rank = {"wrong": 0, "unanswered": 1, "right": 2}
    return sorted(items, key=lambda item: (rank[item.status], item.number))


def score_line(result: ExamResult) -> Content:
    """'Score  7 of 10 right (70%)   ✗ not passed: the pass mark is 75%'."""
    verdict = (("✓ passed", "bold $text-success") if result.passed
               else ("✗ not passed", "bold $text-error"))
    style = "$text-success" if result.passed else "$text-error"
    return Content.assemble(("Score  ", "bold"),
                            (f"{result.score} of {result.total} right", f"bold {style}"),
                            f" ({result.percent:.0f}%)   ", verdict,
                            f": the pass mark is {result.pass_mark:.0%}")


def topic_rows(app: QuizApp, result: ExamResult) -> Content:
    """A bar per topic against the pass mark: title, bar, 'right/of', percent."""
    lines = []
    for topic_id, counts in sorted(result.per_topic.items(),
                                   key=lambda kv: -app.bank.topics[kv[0]].weight
                                   if kv[0] in app.bank.topics else 0):
        topic = app.bank.topics.get(topic_id)
        share = counts.correct / counts.total if counts.total else 0.0
        title = clip(topic.title if topic else topic_id, TOPIC_WIDTH - 2)
        lines.append(Content.assemble(literal(f"{title:<{TOPIC_WIDTH}}"),
                                      score_bar(share, BAR_WIDTH, result.pass_mark),
                                      f" {counts.correct:>3}/{counts.total:<3} {share:>4.0%}"))
    return Content("\n").join(lines)


class ExamAnswerView(FeedbackView):
    """The study feedback view; a question left blank says so instead of 'Incorrect'."""

    def compose(self) -> ComposeResult:
        blank = not any(c.picked for c in self.feedback.choices)
        for widget in super().compose():
            if blank and widget.id == "verdict":
                numbers = [str(n) for n, c in enumerate(self.feedback.choices, 1) if c.correct]
                answer = (f"the answer is {numbers[0]}" if len(numbers) == 1 else
                          f"the answers are {', '.join(numbers[:-1])} and {numbers[-1]}")
                widget = Static(Content.assemble(("– Not answered", "bold $text-warning"),
                                                 f": {answer}"),
                                id="verdict", classes="-wrong")
            yield widget


class ExamAnswerModal(ModalScreen[None]):
    """One question of the paper with its full feedback; ← → go through the review list."""

    BINDINGS = [
        Binding("escape", "dismiss(None)", "Close"),
        Binding("enter", "dismiss(None)", "Close", show=False),
        Binding("left,[", "step(-1)", "Previous", key_display="←"),
        Binding("right,]", "step(1)", "Next", key_display="→"),
    ]

    def __init__(self, bank: Bank, items: list[ReviewItem], index: int, total: int) -> None:
        super().__init__()
        self.bank = bank
        self.items = items
        self.index = index
        self.total = total

    def compose(self) -> ComposeResult:
        item = self.items[self.index]
        with Vertical(classes="modal-frame") as frame:
            flag = " · ⚑ flagged" if item.flagged else ""
            frame.border_title = Content(
                f"Question {item.number} of {self.total} · {item.status}{flag}")
            frame.border_subtitle = Content(f"{self.index + 1}/{len(self.items)} in the list · "
                                            "← → previous/next · esc close")
            yield ExamAnswerView(self.bank, item.feedback, show_stem=True)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(FeedbackView).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "step":
            target = self.index + cast(int, parameters[0])
            return True if 0 <= target < len(self.items) else None
        return True

    async def action_step(self, step: int) -> None:
        target = self.index + step
        if 0 <= target < len(self.items):
            self.index = target
            await self.recompose()
            self.query_one(FeedbackView).focus()
            self.refresh_bindings()


class ExamResultsScreen(Screen[None]):
    """Score, pass or fail, per-topic bars and time used; Enter reviews a question."""

    BINDINGS = [
        Binding("escape", "home", "Home"),
        Binding("x", "again", "New exam"),
        Binding("s", "stats", "Stats", show=False),  # the footer must fit 80 columns
        Binding("d", "delete", "Delete"),
        Binding("m", "retry_missed", "Missed"),
        Binding("f", "retry_flagged", "Flagged"),
        Binding("q", "app.quit", "Quit"),
    ]

    def __init__(self, run: ExamRun, result: ExamResult, *, timed_out: bool = False) -> None:
        super().__init__()
        self.run = run
        self.result = result
        self.timed_out = timed_out
        self.items = review_items(run, result)

    @property
    def quiz(self) -> QuizApp:
        return cast("QuizApp", self.app)

    def compose(self) -> ComposeResult:
        result = self.result
        state = "time up, handed in as it stood" if self.timed_out else "handed in"
        pool = paper_pool(self.quiz.bank, [a.question for a in result.answers])
        yield Static(Content.assemble((f"Exam {state}", "bold $text-primary"),
                                      f"   {result.total} questions",
                                      f" · {pool}" if pool else ""), classes="title-bar")
        with Vertical(id="results-top"):
            yield Static(score_line(result), id="exam-score")
            unanswered = sum(not a.picked for a in result.answers)
            yield Static(Content.assemble(
                ("Time   ", "bold"), f"{clock_text(result.time_used)} used of "
                f"{clock_text(self.run.time_limit)}",
                f"   ·   {unanswered} unanswered" if unanswered else ""), id="exam-time")
            yield Static(literal("By topic"), classes="section-title")
            yield Static(topic_rows(self.quiz, result), id="exam-topics")
            missed = len(result.missed)
            yield Static(literal(f"Review: {missed} missed, listed first · enter opens one"
                                 if missed else "Review: all right · enter opens one"),
                         classes="section-title")
        yield OptionList(*(self._option(i, item) for i, item in enumerate(self.items)),
                         id="exam-review", markup=False)
        yield Footer()

    def _option(self, index: int, item: ReviewItem) -> Option:
        mark = {"right": ("✓", "$text-success"), "wrong": ("✗", "$text-error"),
                "unanswered": ("–", "$text-warning")}[item.status]
        flag = ("⚑ ", "bold $text-warning") if item.flagged else "  "
        prompt = Content.assemble(mark, f" {item.number:>3}  ", (f"{item.status:<10}", mark[1]),
                                  " ", flag, inline(first_paragraph(item.feedback.question
                                                                   .question)))
        width = max(MIN_ROW, self.app.size.width - 6)
        return Option(prompt.truncate(width, ellipsis=True), id=str(index))

    def on_mount(self) -> None:
        self.query_one("#exam-review", OptionList).focus()

    @on(OptionList.OptionSelected, "#exam-review")
    def _open(self, event: OptionList.OptionSelected) -> None:
        self.app.push_screen(ExamAnswerModal(self.quiz.bank, self.items,
                                             int(event.option_id or 0), self.result.total))

    def action_home(self) -> None:
        self.quiz.show_home()

    def action_again(self) -> None:
        self.quiz.show_home()
        self.quiz.open_exam()

    def action_stats(self) -> None:
        self.quiz.open_stats()

    def action_delete(self) -> None:
        """Delete this attempt from the exam history and scores, once confirmed."""
        from quiz.tui.screens.exam_modals import DeleteExamModal

        def chosen(choice: str | None) -> None:
            if choice == "delete":
                self.quiz.store.delete_exam(self.result.attempt_id)
                self.quiz.show_home()
                self.quiz.notify("The exam attempt was deleted from the history.", timeout=4)

        self.app.push_screen(DeleteExamModal(handed_in=True), chosen)

    def action_retry_missed(self) -> None:
        """Practise the paper's wrong and unanswered questions (the schedule is unchanged)."""
        retry(self.quiz, list(self.result.missed), "Nothing missed: nothing to retry.",
              "Retry · missed in the exam")

    def action_retry_flagged(self) -> None:
        """Practise the questions flagged during the exam or flagged for a later look."""
        flagged = self.quiz.store.flagged_ids()
        items = sorted(self.items, key=lambda item: item.number)
        retry(self.quiz, [item.feedback.question for item in items
                          if item.flagged or item.feedback.question.id in flagged],
              "No question of this exam is flagged.", "Retry · flagged in the exam")
