"""Adding and editing questions from the app: which bank a new question goes to, opening the
form, and reloading the bank after a write so the question can be practised at once.

`quiz add` imports ``with_bank`` before ``run_app`` installs the start-up cache: this module
imports nothing of Textual at its top, so Textual's classes are built with the cache."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from quiz import paths

if TYPE_CHECKING:
    from quiz.tui.app import QuizApp

def default_user_bank() -> Path:
    """Where new questions go by default: the user's own bank in the data directory."""
    return paths.user_bank()


def with_bank(bank_paths: list[Path], extra: Path | None) -> list[Path]:
    """``bank_paths`` with ``extra`` at the end unless it is already one of them."""
    if extra is None or any(Path(p).resolve() == extra.resolve() for p in bank_paths):
        return list(bank_paths)
    return [*bank_paths, extra]


def reload_bank(app: QuizApp, extra: Path | None = None) -> str | None:
    """Load the app's banks again (plus ``extra``, a bank just created) and sync the store;
    returns what went wrong, or None."""
    from quiz.bank import check_bank
    from quiz.bank.cache import cache_key, save_cached

    bank_paths = [p for p in with_bank(app.bank_paths, extra) if Path(p).exists()]
    bank, problems = check_bank(bank_paths, similar=False)
    if bank is None:
        errors = [str(p) for p in problems if p.severity == "error"]
        return "\n".join(errors[:5]) or "the bank could not be loaded"
    app.bank = bank
    app.bank_paths = bank_paths
    app.store.sync_bank(bank)
    key = cache_key(bank_paths)
    if key:  # the next start finds the bank ready
        save_cached(paths.cache_dir(), key, bank)
    return None


def open_add(app: QuizApp, topic: str | None = None) -> None:
    """The form for a new question in the user's bank (``quiz add --bank DIR``'s, else the one
    in the data directory, created by the first question saved)."""
    from quiz.tui.screens.question_form import QuestionFormScreen

    target = app.user_bank or default_user_bank()

    def saved(question_id: str | None) -> None:
        if question_id is not None:
            from quiz.bank.userbank import write_schema

            write_schema(target)  # the new topic file's header points at it
        _saved(app, question_id)

    app.push_screen(QuestionFormScreen.new(target, topic), saved)


def open_edit(app: QuizApp, question_id: str) -> None:
    """The form filled with a question of the bank, saved back into its own file."""
    from quiz.bank.writer import BankWriteError
    from quiz.tui.screens.question_form import QuestionFormScreen
    from quiz.tui.text import shown  # here: `quiz add` imports this module before Textual

    question = app.bank.questions.get(question_id)
    if question is None:
        app.notify(shown(f"{question_id} is not in the bank."), severity="error", markup=False)
        return
    # The origin is shown relative to the directory the bank was loaded from: try it, then
    # look the question up in each bank.
    origin = Path(question.origin)
    targets = [origin] if origin.is_file() else []
    form, error = None, f"{question_id} was not found in its bank files"
    for target in [*targets, *map(Path, app.bank_paths)]:
        try:
            form = QuestionFormScreen.edit(target, question_id)
            break
        except (BankWriteError, OSError) as exc:
            error = str(exc)
    if form is None:
        app.notify(shown(error), title="Cannot edit", severity="error", timeout=10, markup=False)
        return
    app.push_screen(form, lambda qid: _saved(app, qid))


def _saved(app: QuizApp, question_id: str | None) -> None:
    """After the form: browse shows the question; anywhere else, say where to find it."""
    from quiz.tui.screens.browse import BrowseScreen

    if question_id is None:
        return
    if isinstance(app.screen, BrowseScreen):
        app.screen.show_question(question_id)
