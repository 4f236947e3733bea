"""The Textual app: ``make_app`` is the one factory the CLI and the tests build it with."""

from __future__ import annotations

import asyncio
import gc
import random
from collections.abc import Callable, Iterable
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual._compositor import LayoutUpdate
from textual.app import App, SystemCommand
from textual.await_complete import AwaitComplete
from textual.binding import Binding
from textual.constants import DEFAULT_THEME
from textual.screen import Screen
from textual.timer import Timer

from quiz.bank import Bank, Question
from quiz.learner import shown_learner
from quiz.scheduling import practice_queue, review_queue, utc_now
from quiz.store.errors import StoreError
from quiz.store.pending import PendingStore
from quiz.tui import start_cache, start_cache_css, textual_fixes
from quiz.tui.commands import QuizCommands
from quiz.tui.textual_fixes import footer_keys_current

if TYPE_CHECKING:
    from rich.console import RenderableType
    from textual.message_pump import MessagePump

    from quiz.exam import ExamFormat
    from quiz.session import Feedback, StudySession, Summary
    from quiz.store import Store
    from quiz.tui.screens.feedback import FeedbackScreen

textual_fixes.apply()
start_cache_css.install()  # Textual's CSS tokens too, if run_app installed the cache
STARTS = ("home", "review", "practice", "exam", "add", "browse", "cohort")
CRAM_SIZE = 20  # questions in a cram session, weakest first
CRAM_TITLE = "Cram · weakest first"
COLLECT_AFTER_S = 0.1  # after a screen switch: the new screen is drawn, the user is reading
WARM_UP_AFTER_S = 0.3  # after the first frame: imports for the first answer (_warm_up)
# quiz.tcss holds the rules every screen shares. The first screens of the starts have their
# own files, parsed when the first screen needing each is shown, so a start parses only what
# its first screen uses: home's (home.tcss), a session's (session.tcss: a question, and the
# exam paper's choices and text too), an answer's feedback (feedback.tcss, parsed while its
# question is read: feedback_styles), the exam paper's and the add form's.
# The other screens' rules are parsed when the first of them is shown, or after the first
# frame (load_other_styles), with every file not parsed yet.
_HERE = Path(__file__).parent
HOME_CSS, SESSION_CSS = _HERE / "home.tcss", _HERE / "session.tcss"
FEEDBACK_CSS = _HERE / "feedback.tcss"
OWN_CSS = {"quiz.tui.screens.home.HomeScreen": (HOME_CSS,),
           "quiz.tui.screens.question.QuestionScreen": (SESSION_CSS,),
           "quiz.tui.screens.feedback.FeedbackScreen": (SESSION_CSS, FEEDBACK_CSS),
           "quiz.tui.screens.exam.ExamScreen": (SESSION_CSS, _HERE / "exam_paper.tcss"),
           "quiz.tui.screens.question_form.QuestionFormScreen": (_HERE / "question_form.tcss",)}
# The screens styled by quiz.tcss and their own files alone, which other_screens.tcss (or
# another screen's own file) never changes (tests check).
FIRST_SCREENS = frozenset(OWN_CSS)
OTHER_CSS = _HERE / "other_screens.tcss"
# The add form's fields below the preview, mounted after its first frame, have their rules
# apart: parsed as they are mounted (load_form_styles), not before the first frame.
FORM_MORE_CSS = _HERE / "question_form_more.tcss"


def complete(screen: Screen) -> bool:
    """Whether a frame of ``screen`` drawn now would be the screen as it is meant to look:
    its footers show the keys it has (Textual composes them a refresh later). A start's
    notice is not waited for: its toast is mounted after the screen's first layout, and
    holding the screen back for it cost a second layout (~40 ms); it shows a frame later."""
    from textual.widgets import Footer

    return all(footer_keys_current(footer) for footer in screen.query(Footer))


class QuizApp(App[None]):
    """Home, study sessions (question → feedback → … → summary) and stats."""

    CSS_PATH = Path(__file__).with_name("quiz.tcss")
    TITLE = "quiz"
    COMMANDS = App.COMMANDS | {QuizCommands}
    # Not in the footers (they are full at 80 columns); help and the palette list them. F1 may
    # be taken by the terminal, ? is typed into a text field: each works where the other may not.
    BINDINGS = [
        Binding("question_mark", "help('?')", "Help", show=False),
        Binding("f1", "help", "Help", show=False),
    ]

    def __init__(self, bank: Bank, store: Store | PendingStore, *,
                 now: Callable[[], datetime] = utc_now,
                 rng: random.Random | None = None, start: str = "home",
                 topic: str | None = None, concept: str | None = None,
                 exam_format: ExamFormat | None = None, bank_paths: Iterable[Path] | None = None,
                 user_bank: Path | None = None, tag: str | None = None,
                 min_answers: int | None = None) -> None:
        if start not in STARTS:
            raise ValueError(f"start must be one of {', '.join(STARTS)}, not {start!r}")
        super().__init__()
        self.bank = bank
        self.store = store
        # Named on screen (home, stats) when it is not the OS user's own progress; None: not.
        self.learner_shown = shown_learner(getattr(store, "learner", None))
        self.now = now
        self.rng = rng or random.Random()
        self.start = start
        self.start_topic = topic
        self.start_concept = concept
        # quiz cohort --tui --min-answers N (with start_topic: --topic); None: the default.
        self.start_min_answers = min_answers
        # Practice asks only the questions with this tag (quiz practice --tag; t on home, the
        # palette); None: every question.
        self.practice_tag = tag
        # What x on the home screen offers (quiz exam's flags); None: the KCSA's format.
        self.exam_format = exam_format
        # The bank directories loaded (a question added or edited reloads them) and the one new
        # questions go to (quiz add --bank DIR; else the first bank in QUIZ_BANK).
        self.bank_paths: list[Path] = list(bank_paths if bank_paths is not None else bank.roots)
        self.user_bank = user_bank
        # The screen a session started from browse goes back to when it ends.
        self.session_origin: Screen | None = None
        self._start_notice: str | None = None
        # The feedback shown for each answer of the current session, in order: what undo can
        # take back and what the summary's missed list opens again.
        self.feedbacks: list[Feedback] = []
        # Set when the progress database fails under the app: it exits, and run_app reports it.
        self.store_error: StoreError | None = None
        self._collect_timer: Timer | None = None
        self._collector_paused = False  # pause_collector: between Enter and the feedback
        # When this app started: an exam whose time ran out before it ran out while quiz was
        # closed; after, while it was open.
        self.started_at = now()
        # Said on stderr once the app has closed (run_app), e.g. a paper shorter than asked.
        self.exit_notes: list[str] = []
        # While the settings screen previews themes, App.theme changes are not stored.
        self.previewing_theme = False
        # The start showed its screen without home below it (_home_first): built on leaving.
        self._home_later = False
        self.other_styles_loaded = False  # other_screens.tcss read (load_other_styles)
        self._styles_read: set[Path] = set()  # of OTHER_CSS and OWN_CSS (_load_styles)
        # after_first_frame: the callbacks waiting for the first screen to be on the terminal.
        self._first_frame_shown = False
        self._after_first_frame: list[tuple[MessagePump, Callable[[], Any]]] = []
        # A start from the snapshot: the store opens in a thread after the first frame
        # (_store_opened, which freezes what is alive).
        self._store_opening = isinstance(store, PendingStore)

    # --- start-up ------------------------------------------------------------------------

    def on_mount(self) -> None:
        # Pushed over the (blank) default screen, which cannot be switched away like the rest.
        self._apply_stored_theme()
        self._cap_to_exam_date()
        session: StudySession | None = None
        if self.start == "review":
            session = self._review_session()
        elif self.start == "practice":
            session = self._practice_session(self.start_topic, self.start_concept)
        if session is not None:
            from quiz.tui.screens.question import QuestionScreen

            self.push_screen(QuestionScreen(session))
        elif self._home_first():
            self.push_screen(self._home())
        if self.start == "exam":
            self.open_exam(ask=False)
        elif self.start == "add":
            self.open_add(self.start_topic)
        elif self.start == "browse":
            self.open_browse()
        elif self.start == "cohort":
            self.open_cohort(self.start_topic, self.start_min_answers)
        elif self.start == "home" and self._exam_left_open():
            from quiz.tui.screens.exam import offer_unfinished

            offer_unfinished(self)
        if len(self.screen_stack) == 1:  # the exam had no paper to show after all
            self._home_later = False
            self.push_screen(self._home())
        if self._start_notice:
            self.notify(self._start_notice, timeout=6)
            self._start_notice = None
        self.after_first_frame(self._first_frame_drawn)

    def after_first_frame(self, callback: Callable[[], Any],
                          pump: MessagePump | None = None) -> None:
        """Run ``callback`` (on ``pump``, the app by default) once the first screen is on
        the terminal; after that, after the next refresh.

        ``call_after_refresh`` alone does not wait for it at start-up: Textual mounts the
        first screen inside the batch update that wraps the app's mount, drops the frames
        drawn meanwhile, and runs a screen's after-refresh callbacks at once while a batch is
        open, so "after the first frame" work (the add form's lower fields, the store's
        opening, the form's imports) ran before anything was shown."""
        if self._first_frame_shown:
            (pump or self).call_after_refresh(callback)
        else:
            self._after_first_frame.append((pump or self, callback))

    def _display(self, screen: Screen, renderable: RenderableType | None) -> None:
        if (self._first_frame_shown or renderable is None or len(self.screen_stack) < 2
                or screen is not self.screen):  # the default screen below ours is never shown
            super()._display(screen, renderable)
            return
        if self._batch_count:
            if not isinstance(renderable, LayoutUpdate) or not complete(screen):
                return  # Textual drops it: the start's batch is open
            # The first screen whole, laid out and drawn inside the batch that wraps the app's
            # mount: Textual would drop it and draw the screen again (the start's same-size
            # Resize) once the batch ends, later. It is shown as it is.
            held, self._batch_count = self._batch_count, 0
            try:
                super()._display(screen, renderable)
            finally:
                self._batch_count = held
        else:
            super()._display(screen, renderable)
        self._first_frame_shown = True
        waiting, self._after_first_frame = self._after_first_frame, []
        for pump, callback in waiting:
            pump.call_later(callback)

    def _home_first(self) -> bool:
        """Whether the start's screen goes over the home screen built first. ``quiz add`` and
        a new exam show theirs alone, sooner: home is built when they are left (pop_screen)."""
        if self.start == "add" or self.start == "exam" and not self._unfinished_exam():
            self._home_later = True
            return False
        return True

    def _unfinished_exam(self) -> bool:
        from quiz.exam_format import unfinished_exam

        return unfinished_exam(self.store, self.now()) is not None

    def _home(self) -> Screen:
        from quiz.tui.screens.home import HomeScreen

        return HomeScreen()

    def push_screen(self, screen: Screen | str, *args: Any, **kwargs: Any) -> Any:
        self._styles_for(screen)
        return super().push_screen(screen, *args, **kwargs)

    def _styles_for(self, screen: Screen | str) -> None:
        kind = type(screen)
        name = f"{kind.__module__}.{kind.__qualname__}"
        if name in OWN_CSS:
            self._load_styles(*OWN_CSS[name])
        else:
            self.load_other_styles()

    def load_other_styles(self) -> None:
        """Add the rules of every screen not styled yet (other_screens.tcss and the first
        screens' own, OWN_CSS), once. They are not in quiz.tcss so that a start does not parse
        them before its first frame (~8 ms for other_screens.tcss); none of them matches a
        widget of a screen whose rules are in another file (tests check)."""
        if self.other_styles_loaded:
            return
        self.other_styles_loaded = True
        # Home's and a session's rules before the others, as when they were in quiz.tcss.
        self._load_styles(HOME_CSS, SESSION_CSS, FEEDBACK_CSS, OTHER_CSS,
                          *dict.fromkeys(path for paths in OWN_CSS.values() for path in paths),
                          FORM_MORE_CSS)

    def load_form_styles(self) -> None:
        """Add the rules of the add form's lower fields (question_form_more.tcss), once: the
        form mounts those fields after its first frame, and parses their rules then (~5 ms)."""
        self._load_styles(FORM_MORE_CSS)

    def feedback_styles(self) -> None:
        """Parse the feedback screen's rules (once): a question screen asks for them while
        its question is read, so the answer's feedback does not wait for them."""
        self._load_styles(*OWN_CSS["quiz.tui.screens.feedback.FeedbackScreen"])

    def _load_styles(self, *paths: Path) -> None:
        """Add these stylesheets (those not read yet) to the app's."""
        new = [path for path in paths if path not in self._styles_read]
        if not new:
            return
        self._styles_read.update(new)
        for path in new:
            self.stylesheet.read(path)
        # Only the new files are parsed: the stylesheet keeps what it parsed of the others.
        self.stylesheet.parse()

    def pop_screen(self) -> AwaitComplete:
        if self._home_later and len(self.screen_stack) == 2:
            # Leaving the start's own screen (see _home_first): home takes its place.
            self._home_later = False
            return self.switch_screen(self._home())
        return super().pop_screen()

    def _first_frame_drawn(self) -> None:
        # What start-up built lives as long as the app: out of the collector's generations
        # with it, so its passes stay short while the user answers (run_app turned it off).
        gc.freeze()
        gc.enable()
        self.call_later(start_cache.save)  # what this start compiled, for the next one
        # Timed from the first frame, not from mount: on a busy machine the first frame can
        # take longer than the delay, and the warm-up must not hold it back.
        self.set_timer(WARM_UP_AFTER_S, self._warm_up)
        if isinstance(self.store, PendingStore) and self.store.ready:
            self._store_opening = False  # opened already, by a write that waited for it
        elif isinstance(self.store, PendingStore):
            # The first screen was built from a snapshot: now open the real store.
            loop = asyncio.get_running_loop()
            self.store.open_in_background(
                lambda error: loop.call_soon_threadsafe(self._store_opened, error))

    def _store_opened(self, error: BaseException | None) -> None:
        self._store_opening = False
        if error is None:
            gc.freeze()  # SQLAlchemy's modules too
        elif isinstance(error, StoreError):
            self._store_failed(error)
        elif isinstance(error, Exception):  # a bug: Textual's crash report, as in a handler
            self._handle_exception(error)
        else:
            raise error

    def _store_failed(self, error: StoreError) -> None:
        self.store_error = error
        self.exit(return_code=2)

    def _handle_exception(self, error: Exception) -> None:
        # A database that fails under the app (locked for good, gone read-only) is reported
        # like one that fails at start: one line on stderr, exit 2, no traceback.
        if isinstance(error, StoreError):
            if self.store_error is None:
                self._store_failed(error)
        elif self.store_error is None:
            super()._handle_exception(error)
        # else: a screen the store's failure left half-built; the app is already exiting on it

    def _warm_up(self) -> None:
        """Import what the first answer and the next question need while the user reads;
        parse the other screens' styles."""
        import textual.highlight  # noqa: F401  (code blocks: nearly half the questions)

        import quiz.tui.screens.feedback  # noqa: F401
        import quiz.tui.screens.home  # noqa: F401
        import quiz.tui.screens.summary  # noqa: F401

        self.load_other_styles()
        start_cache.save()

    def _exam_left_open(self) -> bool:
        """An exam attempt is not handed in: home offers it (the exam screen's module, ~10 ms
        of imports, loads only then)."""
        from quiz.exam_format import unfinished_exam

        return unfinished_exam(self.store, self.now()) is not None

    def _apply_stored_theme(self) -> None:
        """The theme the user picked last time, before the first frame (from the settings the
        start-up snapshot reads anyway); one this Textual does not have falls back to the
        default with a notice."""
        name = self.store.settings().theme
        if name is None or name == self.theme:
            return
        if name in self.available_themes:
            self.theme = name
        else:
            self.notify(f"The theme {name!r} is not available here: using {self.theme}. "
                        "Pick one in Settings.", severity="warning", timeout=8)

    def watch_theme(self, name: str) -> None:
        """Remember a theme picked anywhere (Textual's "Change theme" too) for the next start."""
        if self.previewing_theme or not self.is_running:
            return
        if name == (self.store.settings().theme or DEFAULT_THEME):
            return  # the stored one (or the default): nothing to write, start-up stays cheap
        try:
            self.store.update_settings(theme=name)
        except ValueError:  # a registered theme with a name settings cannot hold
            self.notify(f"The theme {name!r} cannot be remembered.", severity="warning")

    def _cap_to_exam_date(self) -> None:
        """With an exam date set, bring reviews due after it forward (see readiness)."""
        exam_date = self.store.settings().exam_date
        if exam_date is None:
            return
        from quiz.exam_date import apply_exam_date_cap, exam_date_cap

        now, store = self.now(), self.store
        if isinstance(store, PendingStore) and not store.ready:
            # Worked out from the snapshot and shown at once; saved once the store opens.
            cards = exam_date_cap(store, exam_date, now)
            if cards:
                store.save_schedules_when_open(
                    cards, lambda opened: apply_exam_date_cap(opened, exam_date, now))
            moved = len(cards)
        else:
            moved = apply_exam_date_cap(store, exam_date, now)
        if moved:
            self._start_notice = (f"{moved} review{'s' * (moved != 1)} brought forward to "
                                  f"before your exam on {exam_date:%a %d %b}.")

    # --- garbage collection ------------------------------------------------------------------
    # Every answer replaces a screen of ~35 widgets, which die as reference cycles: only the
    # collector frees them, and a full pass (10-30 ms) that happened to land between Enter and
    # the feedback would double the wait. So collect while the user reads the new screen.

    def switch_screen(self, screen: Screen | str) -> AwaitComplete:
        self._styles_for(screen)
        done = super().switch_screen(screen)
        if self._collect_timer is not None:
            self._collect_timer.stop()
        self._collect_timer = self.set_timer(COLLECT_AFTER_S, self._collect)
        return done

    def _collect(self) -> None:
        self._collect_timer = None
        self.resume_collector()  # if the new screen's first frame never came
        gc.collect()

    def pause_collector(self) -> None:
        """No collector pass until ``resume_collector``: the feedback's build allocates enough
        for ~15 young-generation passes and a middle-generation one (2-12 ms together on a
        2-core machine) between Enter and its first frame; they run while the user reads."""
        if gc.isenabled():
            gc.disable()
            self._collector_paused = True

    def resume_collector(self) -> None:
        """The collector back on, if ``pause_collector`` turned it off (idempotent)."""
        if self._collector_paused:
            self._collector_paused = False
            gc.enable()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        # QuizCommands offers Quit with the others; keep the palette free of duplicates.
        for command in super().get_system_commands(screen):
            if command.title != "Quit":
                yield command

    # --- sessions -----------------------------------------------------------------------------
    # Screens past the first are imported when needed (start-up) or warmed up after it.


    def _session(self, mode: str, questions: list[Question], *, topic: str | None = None,
                 concept: str | None = None, title: str | None = None) -> StudySession:
        from quiz.session import StudySession  # not before a home start's first frame

        self.feedbacks = []
        self.session_origin = None
        return StudySession(self.bank, self.store, mode, questions, rng=self.rng, now=self.now,
                            topic=topic, concept=concept, title=title)

    def _review_session(self) -> StudySession | None:
        questions = review_queue(self.bank, self.store, self.now())
        if not questions:
            self._start_notice = "Nothing to review right now: practise a topic instead."
            return None
        return self._session("review", questions)

    def _practice_session(self, topic: str | None, concept: str | None) -> StudySession | None:
        tag = self.practice_tag
        questions = practice_queue(self.bank, topic=topic, concept=concept, rng=self.rng,
                                   tag=tag)
        length = self.store.settings().practice_length  # 0: every question it has
        if length:
            questions = questions[:length]
        if not questions:
            what = self.bank.concepts[concept].title if concept else (
                self.bank.topics[topic].title if topic else "the bank")
            self._start_notice = (f"No questions tagged {tag} on {what}." if tag else
                                  f"No questions on {what} yet.")
            return None
        return self._session("practice", questions, topic=topic, concept=concept)

    def _begin(self, session: StudySession | None) -> None:
        if session is None:
            self.notify(self._start_notice or "Nothing to ask.", timeout=4)
            self._start_notice = None
            return
        from quiz.tui.screens.question import QuestionScreen

        self.push_screen(QuestionScreen(session))

    def running_session(self) -> StudySession | None:
        """The study session on a question or feedback screen of the stack, if any."""
        from quiz.tui.screens.feedback import FeedbackScreen
        from quiz.tui.screens.question import QuestionScreen

        for screen in reversed(self.screen_stack):
            if isinstance(screen, QuestionScreen | FeedbackScreen):
                return screen.session
        return None

    def start_after_current(self, what: str, start: Callable[[], None]) -> None:
        """Run ``start`` (a new session) once the running one, if any, is ended properly: the
        user confirms, its partial result is stored and said, its screens are closed. An open
        exam paper is left as its Esc leaves it (it stays open, the clock runs on)."""
        from quiz.tui.screens.exam import ExamScreen

        paper = next((s for s in reversed(self.screen_stack) if isinstance(s, ExamScreen)
                      and not s.run.finished), None)
        if paper is not None:
            paper.leave_then(lambda: self.start_after_current(what, start))
            return
        running = self.running_session()
        if running is None or running.finished:
            start()
            return

        def chosen(choice: str | None) -> None:
            if choice != "end":
                return
            summary = self._end_partial(running)
            if summary.total:
                self.notify(f"{running.mode.capitalize()} ended: {summary.score} of "
                            f"{summary.total} right at the first try; kept.", timeout=5)
            while len(self.screen_stack) > 1 and self.running_session() is running:
                self.pop_screen()
            start()

        from quiz.tui.screens.modals import EndSessionModal

        self.push_screen(EndSessionModal((running.title or running.mode).lower(), what), chosen)

    def start_review(self) -> None:
        """Today's review: due questions first, then today's new ones."""
        self.start_after_current("today's review",
                                 lambda: self._begin(self._review_session()))

    def start_practice(self, topic: str | None, concept: str | None = None) -> None:
        """Every question of a topic (or a concept), without touching the schedule."""
        what = self.bank.concepts[concept].title if concept in self.bank.concepts else (
            self.bank.topics[topic].title if topic in self.bank.topics else "the bank")
        self.start_after_current(f"practice · {what}",
                                 lambda: self._begin(self._practice_session(topic, concept)))

    def practice_tags(self) -> list[str]:
        """The tags practice can be limited to: those the bank's questions carry, most used
        first (kcsa, beyond-kcsa, manifest …)."""
        from quiz.browse import tags_of

        return tags_of(self.bank)

    def set_practice_tag(self, tag: str | None) -> None:
        """Limit practice to the questions tagged ``tag`` (None: every question), and say so."""
        self.practice_tag = tag
        self.notify(f"Practice asks only questions tagged {tag}." if tag else
                    "Practice asks every question.", timeout=3)
        from quiz.tui.screens.home import HomeScreen

        for screen in self.screen_stack:
            if isinstance(screen, HomeScreen) and screen.is_mounted:
                screen.show_practice_tag()

    def pick_concept(self, topic: str) -> None:
        """Ask which concept of a topic to practise, then start."""

        def chosen(concept: str | None) -> None:
            if concept:
                self.start_practice(None, concept)

        from quiz.tui.screens.modals import ConceptPickerModal

        self.push_screen(ConceptPickerModal(self.bank, topic), chosen)

    @property
    def can_undo(self) -> bool:
        """Whether the current session has an answer to take back."""
        return bool(self.feedbacks)

    def show_feedback(self, session: StudySession, feedback: Feedback,
                      flagged: bool | None = None, ahead: FeedbackScreen | None = None) -> None:
        """The stored answer's feedback, in place of the question (``flagged``: the
        question's flag, if the caller knows it). ``ahead``: the feedback screen built while
        the question was read, shown if it still fits (else removed, and one built now)."""
        from quiz.tui.screens.feedback import FeedbackScreen

        self.feedbacks.append(feedback)
        self.pause_collector()  # until its first frame (FeedbackScreen) or the collect timer
        if ahead is not None and ahead.built_for(session, feedback):
            ahead.show(feedback, flagged)
            self.switch_screen(ahead)
            return
        if ahead is not None:
            ahead.remove()  # not ready yet (Enter came early), or built on what has changed
        self.switch_screen(FeedbackScreen(session, feedback, flagged))

    def build_aside(self, screen: Screen) -> None:
        """Compose and mount ``screen`` (and style its widgets) without showing it: off the
        screen stack, to be shown later by ``switch_screen`` as it is, or removed
        (``screen.remove()``). This is what ``switch_screen`` does to a screen that is not
        running yet (Textual's ``_get_screen``: its rules, then ``_register``, which starts
        the screen's compose and mount), without making it current."""
        self._styles_for(screen)
        self._load_screen_css(screen)
        self._register(self, screen)

    @property
    def can_build_aside(self) -> bool:
        """Whether a screen may be built ahead now: not while the start's store is opening,
        since its opening freezes (``gc.freeze``) whatever is alive, and a screen built ahead
        and then dropped would never be freed."""
        return not self._store_opening

    def regraded(self, feedback: Feedback) -> None:
        """Keep the latest answer's feedback in step with its new rating."""
        if self.feedbacks:
            self.feedbacks[-1] = feedback

    def next_question(self, session: StudySession) -> None:
        """Go on to the next question, or to the summary after the last."""
        if session.advance() is None:
            from quiz.tui.screens.summary import SummaryScreen

            self.switch_screen(SummaryScreen(session, session.summary()))
        else:
            from quiz.tui.screens.question import QuestionScreen

            self.switch_screen(QuestionScreen(session))

    def undo(self, session: StudySession) -> None:
        """Take back the last answer and ask that question again."""
        if session.undo() is not None:
            self.feedbacks.pop()
            from quiz.tui.screens.question import QuestionScreen

            self.switch_screen(QuestionScreen(session))
            self.notify("Answer taken back.", timeout=2)

    def _end_partial(self, session: StudySession) -> Summary:
        """Store a session's result so far (it is not finished: ended early); its summary."""
        summary = session.summary()
        if not session.finished and session.stored:
            # StudySession has no "finish early"; record the partial result on its row.
            self.store.finish_session(session.id, score=summary.score, total=summary.total,
                                      per_topic=summary.per_topic)
        return summary

    def end_session(self, session: StudySession) -> None:
        """Stop early: the answers given so far are kept and summed up."""
        from quiz.tui.screens.summary import SummaryScreen

        summary = self._end_partial(session)
        if summary.total:
            self.switch_screen(SummaryScreen(session, summary))
        else:
            self.show_home()

    @property
    def exam_date(self) -> date | None:
        """The day of the real exam, if the user set one (``quiz --exam-date``)."""
        return self.store.settings().exam_date

    def open_exam(self, *, ask: bool = True) -> None:
        """Resume an unfinished mock exam, or start one (``ask``: confirm its format first)."""
        from quiz.exam import KCSA
        from quiz.tui.screens.exam import open_exam

        open_exam(self, self.exam_format or KCSA, ask=ask)

    def start_cram(self) -> None:
        """Practise the weakest questions first (the schedule is not changed)."""
        from quiz.readiness import cram_queue

        def start() -> None:
            questions = cram_queue(self.bank, self.store, self.now(), limit=CRAM_SIZE)
            if not questions:
                self._start_notice = "No questions to cram."
            self._begin(self._session("practice", questions, title=CRAM_TITLE)
                        if questions else None)

        self.start_after_current("cram · weakest first", start)

    def open_stats(self) -> None:
        """The progress figures."""
        from quiz.tui.screens.stats import StatsScreen

        self.push_screen(StatsScreen())

    def open_cohort(self, topic: str | None = None, min_answers: int | None = None) -> None:
        """The class in this database (``quiz.cohort``): learners, concepts, questions."""
        from quiz.cohort import DEFAULT_MIN_ANSWERS
        from quiz.tui.screens.cohort import CohortScreen

        if not isinstance(self.screen, CohortScreen):
            self.push_screen(CohortScreen(topic, min_answers or DEFAULT_MIN_ANSWERS))

    def open_plan(self) -> None:
        """The plan to the exam date (``quiz.plan``): current settings against recommended."""
        from quiz.tui.screens.plan import PlanScreen

        if not isinstance(self.screen, PlanScreen):
            self.push_screen(PlanScreen())

    def open_settings(self) -> None:
        """The settings screen, over whatever screen is showing."""
        from quiz.tui.screens.settings import SettingsScreen

        if not isinstance(self.screen, SettingsScreen):
            self.push_screen(SettingsScreen())

    def action_settings(self) -> None:
        self.open_settings()

    def action_help(self, key: str = "f1") -> None:
        """The keys of the screen showing, and what each mode does (closes help if open).

        ``?`` does nothing on a screen with text fields (a search, the question form): there
        it is a character to type, and only F1 opens help."""
        from quiz.tui.screens.help import HelpModal, screen_keys, screen_name, takes_text

        if isinstance(self.screen, HelpModal):
            self.screen.dismiss(None)
            return
        if key == "?" and takes_text(self.screen):
            return
        self.push_screen(HelpModal(screen_name(self.screen), screen_keys(self.screen)))

    def open_browse(self) -> None:
        """Every question of the bank: search, filter, open, flag, suspend, add, edit."""
        from quiz.tui.screens.browse import BrowseScreen

        self.push_screen(BrowseScreen())

    def open_add(self, topic: str | None = None) -> None:
        """The form for a new question in the user's bank (see ``quiz.tui.authoring``)."""
        from quiz.tui.authoring import open_add

        open_add(self, topic)

    def open_edit(self, question_id: str) -> None:
        """The form for a question of the bank, saved back into its own file."""
        from quiz.tui.authoring import open_edit

        open_edit(self, question_id)

    def open_lab(self, path: Path | None = None) -> None:
        """The policy lab on a manifest file; without one, pick a bundled scenario first.
        Escape goes back to where it was opened."""
        from quiz.tui.screens.lab import ScenarioPickerModal, scenario_files

        if path is not None:
            self._open_lab_on(path)
            return
        from quiz.paths import bundled_bank

        files = scenario_files([bundled_bank(), *self.bank.roots])
        if not files:
            self.notify("No scenario files to open in the lab.", severity="warning", timeout=4)
            return
        self.push_screen(ScenarioPickerModal(files),
                         lambda chosen: self._open_lab_on(chosen) if chosen else None)

    def _open_lab_on(self, path: Path) -> None:
        from quiz import netpol
        from quiz.textsafe import printable
        from quiz.tui.screens.lab import LabScreen

        try:
            cluster = netpol.load_manifests_file(path)
        except netpol.ManifestError as exc:
            self.notify(printable(str(exc)), severity="error", timeout=8, markup=False)
            return
        self.push_screen(LabScreen(cluster, path.name))

    def practise(self, questions: list[Question], title: str | None = None) -> None:
        """Practise just these questions; the session ends back on the current screen.
        ``title``: what the header calls it ("Retry · missed"); None: mode and topic."""
        def start() -> None:
            origin = self.screen
            self._begin(self._session("practice", questions, title=title))
            self.session_origin = origin

        self.start_after_current("practice", start)

    def show_home(self) -> None:
        """Back to the home screen (it recounts its figures on resume), or to the screen the
        session was started from (a question opened in browse)."""
        from quiz.tui.screens.home import HomeScreen

        origin, self.session_origin = self.session_origin, None
        home = origin if origin in self.screen_stack else next(
            (s for s in self.screen_stack if isinstance(s, HomeScreen)), None)
        if home is None:
            self.switch_screen(HomeScreen())
            return
        while self.screen is not home and len(self.screen_stack) > 1:
            self.pop_screen()


def make_app(bank: Bank, store: Store | PendingStore, *, now: Callable[[], datetime] = utc_now,
             rng: random.Random | None = None, start: str = "home",
             topic: str | None = None, concept: str | None = None,
             exam_format: ExamFormat | None = None, bank_paths: Iterable[Path] | None = None,
             user_bank: Path | None = None, tag: str | None = None,
             min_answers: int | None = None) -> QuizApp:
    """The app on a bank and a store, with an injectable clock and shuffle; see ``QuizApp``."""
    return QuizApp(bank, store, now=now, rng=rng, start=start, topic=topic, concept=concept,
                   exam_format=exam_format, bank_paths=bank_paths, user_bank=user_bank,
                   tag=tag, min_answers=min_answers)
