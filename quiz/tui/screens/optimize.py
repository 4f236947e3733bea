"""Optimise from my history: FSRS parameters fitted to the user's answers in a worker thread,
with a progress bar, the before/after figures and what was kept (``quiz.optimize``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, ProgressBar, Static

from quiz.store.records import Settings

if TYPE_CHECKING:
    from quiz.optimize import Outcome
    from quiz.store import Store
    from quiz.tui.app import QuizApp


def parameters_line(settings: Settings) -> str:
    """Whether the parameters are fsrs's defaults or fitted (when, on how many answers)."""
    fit = settings.fsrs_fit
    if settings.fsrs_parameters is None:
        return "fsrs's defaults"
    if fit is None:
        return "your own (set by hand)"
    day = fit.fitted_at.astimezone()
    return f"fitted {day.day} {day:%b %Y}, {fit.reviews} answers"


class OptimizeModal(ModalScreen[bool]):
    """Fits, shows the figures, and dismisses with whether new parameters were saved."""

    BINDINGS = [Binding("escape", "close", "Close")]

    def __init__(self) -> None:
        super().__init__()
        self.outcome: Outcome | None = None
        self.done = False

    @property
    def quiz(self) -> QuizApp:
        return cast("QuizApp", self.app)

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-frame -small optimize-dialog") as frame:
            frame.border_title = Content("Optimise from my history")
            yield Static(Content("Fitting the scheduler to your own answers (fsrs-rs, as "
                                 "Anki). Kept only if it predicts them better."),
                         classes="dialog-body")
            yield ProgressBar(total=100, show_eta=False, id="optimize-progress")
            yield Static(Content("Starting"), id="optimize-step")
            yield Static(Content(""), id="optimize-figures")
            yield Static(Content(""), id="optimize-verdict")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Close", id="optimize-close", compact=True, variant="primary",
                             disabled=True)
        yield Footer()

    def on_mount(self) -> None:
        self.run_worker(self._fit, thread=True, exclusive=True, name="optimize")

    def _store(self) -> Store:
        from quiz.store.pending import PendingStore

        store = self.quiz.store
        return store.wait() if isinstance(store, PendingStore) else store

    def _fit(self) -> None:
        """In a thread: the whole fit; the screen hears of each step through the app."""
        from quiz.optimize import OptimizeError, optimize
        from quiz.store import StoreError

        def progress(what: str, done: float) -> None:
            self.app.call_from_thread(self._progress, what, done)

        try:
            outcome = optimize(self._store(), progress=progress)
        except (OptimizeError, StoreError) as error:
            message = str(error)
            self.app.call_from_thread(self._refused, message[:1].upper() + message[1:])
        else:
            self.app.call_from_thread(self._finished, outcome)

    def _progress(self, what: str, done: float) -> None:
        self.query_one(ProgressBar).update(progress=round(100 * done))
        self.query_one("#optimize-step", Static).update(Content(what))

    def _refused(self, message: str) -> None:
        self.query_one("#optimize-step", Static).update(
            Content.assemble(("✗ ", "bold $text-error"), (message, "$text-error")))
        self.query_one("#optimize-figures", Static).display = False
        self.query_one("#optimize-verdict", Static).update(
            Content("Kept your current parameters."))
        self._ready()

    def _finished(self, outcome: Outcome) -> None:
        from quiz.optimize import figures_table, verdict

        self.outcome = outcome
        self.query_one(ProgressBar).update(progress=100)
        self.query_one("#optimize-step", Static).update(Content(
            f"Fitted on {outcome.reviews} answers; checked on a time-series split of your "
            f"history (lower is better):"))
        self.query_one("#optimize-figures", Static).update(
            Content("\n".join(figures_table(outcome.before, outcome.after))))
        self.query_one("#optimize-verdict", Static).update(Content.assemble(
            (verdict(outcome), "bold $text-success" if outcome.saved else "$text-warning")))
        self._ready()

    def _ready(self) -> None:
        self.done = True
        close = self.query_one("#optimize-close", Button)
        close.disabled = False
        close.focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "optimize-close":
            self.action_close()

    def action_close(self) -> None:
        """Back, once the fit is over (the engine cannot be stopped half-way)."""
        if not self.done:
            self.notify("Still fitting: it takes a few seconds.", timeout=2)
            return
        self.dismiss(self.outcome is not None and self.outcome.saved)
