"""The end of a session: score, per-topic results, the missed questions, the next reviews."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Footer, OptionList, Static
from textual.widgets.option_list import Option

from quiz.textsafe import first_paragraph
from quiz.tui.screens.modals import MissedQuestionModal
from quiz.tui.text import clip, inline, literal, plural, when

MISSED_WIDTH = 74  # one line per missed question at 80 columns

if TYPE_CHECKING:
    from quiz.bank import Question
    from quiz.session import Feedback, StudySession, Summary
    from quiz.tui.app import QuizApp


def _share_style(share: float) -> str:
    return "$text-success" if share >= 0.75 else ("$text-warning" if share >= 0.5
                                                  else "$text-error")


def score_line(summary: Summary) -> Content:
    """'First try  7 of 10 right (70%)' and, when questions were asked again,
    'Final      9 of 10 right (90%)  2 put right when asked again'."""
    if not summary.total:
        return Content("No answers.")
    share = summary.score / summary.total
    first = Content.assemble(("First try  ", "bold"),
                             (f"{summary.score} of {summary.total} right",
                              f"bold {_share_style(share)}"), f"  ({share:.0%})")
    if summary.answers <= summary.total:  # nothing was asked again
        return first
    final = summary.final / summary.total
    mended = summary.final - summary.score
    note = f"  {mended} put right when asked again" if mended > 0 else ""
    return Content.assemble(first, "\n", ("Final      ", "bold"),
                            (f"{summary.final} of {summary.total} right",
                             f"bold {_share_style(final)}"), f"  ({final:.0%})",
                            (note, "$text-muted"))


def due_line(next_due: dict[str, datetime], now: datetime) -> Content:
    """When the questions just reviewed come back, soonest first, grouped."""
    groups: dict[str, int] = {}
    for due in sorted(next_due.values()):
        label = when(due, now)
        groups[label] = groups.get(label, 0) + 1
    parts = ", ".join(f"{plural(n, 'question')} {label}" for label, n in groups.items())
    return Content.assemble(("Next reviews  ", "bold"), parts)


class SummaryScreen(Screen[None]):
    """Score, per-topic table, missed questions (Enter opens one), next reviews."""

    BINDINGS = [
        Binding("escape", "home", "Home"),
        Binding("enter", "home", "Home"),
        Binding("u", "undo", "Undo last"),
        Binding("m", "retry_missed", "Retry missed"),
        Binding("f", "retry_flagged", "Flagged"),
        Binding("q", "app.quit", "Quit"),
    ]

    def __init__(self, session: StudySession, summary: Summary) -> None:
        super().__init__()
        self.session = session
        self.summary = summary
        self._missed: list[Feedback] | None = None

    @property
    def quiz(self) -> QuizApp:
        return cast("QuizApp", self.app)

    def missed(self) -> list[Feedback]:
        """The feedback of each question missed at its first showing, in session order (kept:
        a retry started here gives the app the feedbacks of its own session)."""
        if self._missed is None:
            self._missed = [f for f in self.quiz.feedbacks if not f.correct and not f.again]
        return self._missed

    def compose(self) -> ComposeResult:
        summary = self.summary
        mode = self.session.title or self.session.mode.capitalize()
        planned = len(self.session.questions)
        state = "finished" if summary.total >= planned else f"ended early ({planned} planned)"
        yield Static(Content.assemble((f"{mode} {state}", "bold $text-primary"),
                                      f"   {plural(summary.answers, 'answer')}"),
                     classes="title-bar")
        with VerticalScroll(id="summary-body"):
            yield Static(score_line(summary), id="score")
            table: DataTable[Text] = DataTable(id="per-topic", cursor_type="none",
                                               zebra_stripes=True)
            table.add_columns("Topic", "right", "of", "%")
            for topic_id, result in summary.per_topic.items():
                topic = self.quiz.bank.topics.get(topic_id)
                share = result.correct / result.total if result.total else 0.0
                table.add_row(Text(clip(topic.title if topic else topic_id, 46)),
                              Text(str(result.correct), justify="right"),
                              Text(str(result.total), justify="right"),
                              Text(f"{share:.0%}", justify="right"))
            yield table
            missed = self.missed()
            if missed:
                yield Static(literal(f"Missed ({len(missed)}): enter to look again"),
                             classes="section-title")
                yield OptionList(*(Option(inline(first_paragraph(f.question.question))
                                          .truncate(MISSED_WIDTH, ellipsis=True), id=str(i))
                                   for i, f in enumerate(missed)), id="missed", markup=False)
            elif summary.total:
                yield Static(literal("Nothing missed.", "$text-success"), classes="section-title")
            if summary.next_due:
                yield Static(due_line(summary.next_due, self.quiz.now()), id="next-due")
            elif self.session.mode != "review":
                again = (" Missed questions were asked once more at the end."
                         if summary.answers > summary.total else "")
                yield Static(literal("Practice answers are logged; the review schedule is "
                                     f"unchanged.{again}", "$text-muted"), id="next-due")
        yield Footer()

    def on_mount(self) -> None:
        if self.query("#missed"):
            self.query_one("#missed", OptionList).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "undo":
            return self.quiz.can_undo
        return True

    @on(OptionList.OptionSelected, "#missed")
    def _open_missed(self, event: OptionList.OptionSelected) -> None:
        feedback = self.missed()[int(event.option_id or 0)]
        self.app.push_screen(MissedQuestionModal(self.quiz.bank, feedback))

    def action_home(self) -> None:
        self.quiz.show_home()

    def action_undo(self) -> None:
        self.quiz.undo(self.session)

    def action_retry_missed(self) -> None:
        """Practise the questions missed in this session again (the schedule is unchanged)."""
        bank = self.quiz.bank.questions
        questions = [bank[q] for q in dict.fromkeys(self.summary.missed) if q in bank]
        retry(self.quiz, questions, "Nothing missed: nothing to retry.", "Retry · missed")

    def action_retry_flagged(self) -> None:
        """Practise the questions of this session that are flagged now."""
        flagged = self.quiz.store.flagged_ids()
        asked = dict.fromkeys(q.id for q in self.session.questions)
        bank = self.quiz.bank.questions
        retry(self.quiz, [bank[q] for q in asked if q in flagged and q in bank],
              "No question of this session is flagged.", "Retry · flagged")


def retry(app: QuizApp, questions: list[Question], empty: str, title: str) -> None:
    """Practise ``questions`` (back here afterwards) under ``title``, or say why there is
    nothing to."""
    if not questions:
        app.notify(empty, timeout=3)
        return
    app.practise(questions, title)
