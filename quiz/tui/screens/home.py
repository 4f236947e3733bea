"""The home screen: topics with their progress, and what to do next."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, cast

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, OptionList, Static

from quiz.clock import local_day
from quiz.exam_format import Unfinished, unfinished_exam
from quiz.progress import TopicCounts, add_up, topic_counts
from quiz.scheduling import due_today
from quiz.streak import study_streak
from quiz.textsafe import shorten
from quiz.tui.text import inline, literal, plural, when
from quiz.tui.widgets.action_button import ActionButton
from quiz.tui.widgets.countdown import clock_text
from quiz.tui.widgets.title_line import TitleLine
from quiz.tui.widgets.topic_list import TopicHeading, TopicList

if TYPE_CHECKING:
    from quiz.tui.app import QuizApp

NAME_WIDTH = 30  # of a learner's name in the title: the bank's summary keeps its place
REFRESH_S = 60  # while idle on it, home recounts (cards come due, the day turns, the exam clock)


class HomeScreen(Screen[None]):
    """Topics with new / due / mastered counts; review, practice, stats."""

    BINDINGS = [
        Binding("r", "review", "Review"),
        # Short labels in a compact footer: eight keys and the palette share 80 columns (the
        # buttons say it in full). Keys named on the screen itself stay out of it.
        Binding("p", "practice", "Practice"),
        Binding("c", "concept", "Concept"),
        Binding("x", "exam", "Exam"),
        Binding("k", "cram", "Cram", show=False),  # the exam-date line says "k crams"
        Binding("s", "stats", "Stats"),
        Binding("d", "plan", "Plan to the exam", show=False),  # the exam-date line says "d plans"
        Binding("b", "browse", "Browse"),
        Binding("l", "lab", "Lab"),
        Binding("a", "add", "Add a question", show=False),  # the footer is full at 80 columns
        # The topic's detail names the filter while one is set.
        Binding("t", "practice_tag", "Practice tag filter", show=False),
        Binding("comma", "app.settings", "Settings", key_display=",", show=False),
        Binding("q", "app.quit", "Quit"),
    ]

    def __init__(self) -> None:
        super().__init__()
        # Home's figures (quiz.progress): each topic's counts, all of them added up, the streak.
        self.topics: list[TopicCounts] | None = None
        self.totals = TopicCounts(id="total", title="All topics")
        self.streak = 0
        self.review_size = 0
        self.open_exam: Unfinished | None = None  # an attempt not handed in, for its line
        self._fresh = False  # figures just measured by compose: the first resume keeps them
        self._midnight: Timer | None = None  # a recount as the local day turns over
        self._detail_shown: Content | None = None  # the topic detail's text and styles

    @property
    def quiz(self) -> QuizApp:
        return cast("QuizApp", self.app)

    def compose(self) -> ComposeResult:
        self._measure()
        self._fresh = True
        assert self.topics is not None
        yield TitleLine(self._title(), Content(self.quiz.bank.summary()), id="home-title",
                        classes="title-bar")
        yield Static(self._today(), id="home-today")
        topics = TopicList(self.topics, id="topics")
        yield TopicHeading(topics, id="topics-head")
        yield topics
        # The first topic's detail, as the list highlights it once mounted: drawn with the
        # screen's first layout rather than updated into it.
        self._detail_shown = self._detail(self.topics[0] if self.topics else None)
        yield Static(self._detail_shown, id="topic-detail")
        with Horizontal(id="home-actions"):
            yield ActionButton(self._review_label(), id="review", primary=True,
                               disabled=not self.review_size)
            yield ActionButton("Practice", id="practice")
            yield ActionButton("Concept", id="concept")
            yield ActionButton("Exam", id="exam")
            yield ActionButton("Stats", id="stats")
            yield ActionButton("Lab", id="lab")
            # Settings (,) and help (? F1) have no room in the footer at 80 columns: here they
            # are seen.
            yield ActionButton("Settings", id="settings")
            yield ActionButton("Help ?", id="help")  # quit: q in the footer
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one(TopicList).focus()
        self._show_detail()
        # Drawn to the list's width in the first frame; again should the list's first layout
        # have changed it (a scrollbar).
        self.quiz.after_first_frame(self.query_one(TopicHeading).refresh, self)
        self.set_interval(REFRESH_S, self.tick)
        self._watch_midnight(self.quiz.now())

    def tick(self) -> None:
        """The idle refresh: recount while home is the screen shown (cards fall due, the
        local day turns over, an open exam's clock runs on); behind a session, resume does."""
        if self.is_current and self.topics is not None:
            self.refresh_figures()

    def on_resize(self) -> None:
        # The heading is drawn to the list's width: again once the list is laid out anew.
        self.call_after_refresh(self.query_one(TopicHeading).refresh)

    def on_screen_resume(self) -> None:
        if self._fresh:
            self._fresh = False
        elif self.is_mounted and self.topics is not None:
            self.refresh_figures()

    def refresh_figures(self) -> None:
        """Recount: after a session, on the idle tick, on a new day."""
        self._measure()
        assert self.topics is not None
        self.query_one("#home-today", Static).update(self._today())
        self.query_one(TitleLine).set_right(Content(self.quiz.bank.summary()))
        self.query_one(TopicList).set_topics(self.topics)
        review = self.query_one("#review", ActionButton)
        review.update(self._review_label())
        review.disabled = not self.review_size
        self._show_detail()
        self.refresh_bindings()

    def _measure(self) -> None:
        app = self.quiz
        now = app.now()
        # Only what home shows: not the whole of quiz stats' figures (accuracy, exams, ...).
        # One definition of today's work (quiz.scheduling.due_today): the due column adds up
        # to it and the review started from here asks exactly these.
        due = due_today(app.bank, app.store, now)
        self.topics = topic_counts(app.bank, app.store.card_summaries(), due.per_topic())
        self.totals = add_up(self.topics)
        self.review_size = self.totals.due_today
        self.streak = study_streak(app.store, now)
        self.open_exam = unfinished_exam(app.store, now)
        if self.is_mounted:
            self._watch_midnight(now)

    def _watch_midnight(self, now: datetime) -> None:
        """Recount as the local day ends (a new day's allowance), not up to a minute later."""
        if self._midnight is not None:
            self._midnight.stop()
        left = (local_day(now)[1] - now).total_seconds()
        self._midnight = self.set_timer(max(1.0, left + 1), self.tick)

    def _title(self) -> Content:
        learner = self.quiz.learner_shown
        if learner is not None:  # whose progress this is, in place of the subtitle
            return Content.assemble(("quiz", "bold $text-primary"), "  learner ",
                                    (shorten(learner, NAME_WIDTH), "bold"))
        return Content.assemble(("quiz", "bold $text-primary"), "  KCSA networking security")

    def _today(self) -> Content:
        totals = self.totals
        parts: list[str | tuple[str, str]] = [("Today  ", "bold")]
        if self.review_size:
            parts.append((f"{plural(self.review_size, 'question')} to review", "$text-warning"))
        else:
            parts.append(("nothing due right now", "$text-success"))
            upcoming = self._next_due()
            if upcoming is not None:
                parts.append(f" (next {when(upcoming, self.quiz.now())})")
        parts.append(f"  ·  {totals.mastered} of {totals.questions} mastered")
        if self.streak:
            parts.append(f"  ·  streak {plural(self.streak, 'day')}")
        if self.open_exam is not None:
            parts += ["\n", *self._open_exam_line()]
        exam_date = self.quiz.exam_date
        if exam_date is not None:  # a line of its own: it does not fit beside the rest
            days = (exam_date - self.quiz.now().astimezone().date()).days
            if days >= 0:
                away = "today" if days == 0 else "tomorrow" if days == 1 else f"in {days} days"
                parts += ["\n", ("Exam   ", "bold"), (f"{exam_date:%a %d %b}, {away}",
                                                      "$text-accent"),
                          "  ·  ", ("k", "bold $text-accent"), " crams the weakest questions",
                          "  ·  ", ("d", "bold $text-accent"), " plans"]
        return Content.assemble(*parts)

    def _open_exam_line(self) -> list[str | tuple[str, str]]:
        """'Mock exam  open: 12 of 60 questions answered, 41:07 left  ·  x resumes it'."""
        found = self.open_exam
        assert found is not None
        attempt = found.attempt
        answered = sum(bool(p) for p in attempt.answers.values())
        line: list[str | tuple[str, str]] = [
            ("Mock exam  ", "bold"),
            f"open: {answered} of {plural(len(attempt.question_ids), 'question')} answered, "]
        if found.expired:
            return [*line, ("time is up", "bold $text-warning"), "  ·  ",
                    ("x", "bold $text-accent"), " hands it in"]
        return [*line, (f"{clock_text(found.remaining)} left", "bold $text-warning"), "  ·  ",
                ("x", "bold $text-accent"), " resumes it"]

    def _next_due(self) -> datetime | None:
        """When the next started question falls due (for the 'nothing due' line)."""
        bank = self.quiz.bank
        dues = [c.due for c in self.quiz.store.cards().values()
                if c.question_id in bank.questions and not c.is_new and not c.suspended]
        return min(dues, default=None)

    def _review_label(self) -> str:
        return f"Review ({self.review_size})" if self.review_size else "Review (0)"

    def _show_detail(self) -> None:
        detail = self._detail(self.query_one(TopicList).current)
        shown = self._detail_shown
        # The same again (the list's first highlight) would only lay the screen out anew.
        if shown is None or detail.plain != shown.plain or detail.spans != shown.spans:
            self._detail_shown = detail
            self.query_one("#topic-detail", Static).update(detail)

    def _detail(self, topic: TopicCounts | None) -> Content:
        if topic is None:
            return Content("This bank has no topics.")
        concepts = sum(c.topic == topic.id for c in self.quiz.bank.concepts.values())
        parts: list[str | Content | tuple[str, str]] = [literal(topic.title, "bold $text"), "\n"]
        description = self.quiz.bank.topics[topic.id].description \
            if topic.id in self.quiz.bank.topics else None
        if description:
            parts += [inline(description), "\n"]
        parts.append(f"{plural(topic.questions, 'question')} on {plural(concepts, 'concept')}: "
                     f"{topic.new} new, {topic.learning} learning, {topic.review} in review")
        if topic.suspended:
            parts.append(f", {topic.suspended} suspended")
        tag = self.quiz.practice_tag
        if tag is not None:
            tagged = sum(q.topic == topic.id and tag in q.tags
                         for q in self.quiz.bank.questions.values())
            parts += ["\n", ("Practice  ", "bold"),
                      literal(f"only the {plural(tagged, 'question')} tagged {tag}"),
                      "  ·  ", ("t", "bold $text-accent"), " changes the filter"]
        return Content.assemble(*parts)

    def show_practice_tag(self) -> None:
        """The topic's detail again: the practice tag filter changed."""
        self._show_detail()

    # --- actions -------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "review" and not self.review_size:
            return None
        if action == "cram":  # only with an exam date to cram for
            return self.quiz.exam_date is not None
        return True

    def action_review(self) -> None:
        self.quiz.start_review()

    def action_practice(self) -> None:
        topic = self.query_one(TopicList).current
        if topic is not None:
            self.quiz.start_practice(topic.id)

    def action_concept(self) -> None:
        topic = self.query_one(TopicList).current
        if topic is not None:
            self.quiz.pick_concept(topic.id)

    def action_practice_tag(self) -> None:
        """The next tag filter for practice: every question, then each tag the bank uses."""
        tags: list[str | None] = [None, *self.quiz.practice_tags()]
        now = self.quiz.practice_tag
        self.quiz.set_practice_tag(tags[(tags.index(now) + 1) % len(tags)]
                                   if now in tags else None)

    def action_browse(self) -> None:
        self.quiz.open_browse()

    def action_add(self) -> None:
        topic = self.query_one(TopicList).current
        self.quiz.open_add(topic.id if topic is not None else None)

    def action_stats(self) -> None:
        self.quiz.open_stats()

    def action_exam(self) -> None:
        self.quiz.open_exam()

    def action_plan(self) -> None:
        self.quiz.open_plan()

    def action_cram(self) -> None:
        self.quiz.start_cram()

    def action_lab(self) -> None:
        self.quiz.open_lab()

    @on(OptionList.OptionHighlighted, "#topics")
    def _highlighted(self) -> None:
        self._show_detail()

    @on(OptionList.OptionSelected, "#topics")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        if event.option_id:
            self.quiz.start_practice(event.option_id)

    @on(ActionButton.Pressed)
    def _pressed(self, event: ActionButton.Pressed) -> None:
        actions = {"review": self.action_review, "practice": self.action_practice,
                   "concept": self.action_concept, "stats": self.action_stats,
                   "exam": self.action_exam, "lab": self.action_lab, "quit": self.app.exit,
                   "settings": self.quiz.open_settings, "help": self.quiz.action_help}
        action = actions.get(event.button.id or "")
        if action is not None:
            action()
