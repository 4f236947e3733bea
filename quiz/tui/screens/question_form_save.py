"""Saving the question form, and leaving it.

Saving checks the draft at once (not after the typing pause) and writes it through
``quiz.bank.writer`` (``add_question`` / ``edit_question``), which checks again, keeps every
other byte of the file and refuses to overwrite a file changed on disk since it was read: the
form then offers to read it again and re-apply the change. Leaving with unsaved changes asks
first.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from quiz.bank.files import display_path
from quiz.tui.text import plural, shown

if TYPE_CHECKING:
    from textual.timer import Timer

    from quiz.bank.problems import FieldProblem
    from quiz.bank.writer import BankConflict, FileStamp

# quiz.bank.writer (drafts, the loader, pydantic) is imported where a save needs it, and the
# bank's problems (two dataclasses, ~10M instructions to build) where one is made: the form's
# first frame does without.


def no_topic() -> FieldProblem:
    """The problem of a draft whose topic is not chosen yet."""
    from quiz.bank.problems import FieldProblem

    return FieldProblem(("topic",), "choose the topic the question belongs to")


class QuestionFormSaving:
    """The save and cancel actions of ``QuestionFormScreen``, mixed into it.

    They use the form's state (declared below); its ``quiz``, ``editing``, ``topic``,
    ``changed``, ``draft``, ``check_draft``, ``_propose_id`` and ``_show_problems``; and the
    Screen's own ``app``, ``query``, ``notify`` and ``dismiss``.
    """

    bank_dir: Path | None
    question_id: str | None
    original: dict[str, Any]
    stamp: FileStamp | None
    path: Path | None
    _check_timer: Timer | None
    _generation: int
    _stamps: dict[str, FileStamp | None]

    def action_cancel(self) -> None:
        if not self.changed:
            self.dismiss(None)
            return
        from quiz.tui.screens.form_modals import DiscardModal

        def chosen(choice: str | None) -> None:
            if choice == "discard":
                self.dismiss(None)

        self.app.push_screen(DiscardModal(), chosen)

    def action_save(self) -> None:
        """Check the draft now (not after the delay) and write it if it has no error."""
        if self._check_timer is not None:
            self._check_timer.stop()
            self._check_timer = None
        self._propose_id()
        self._generation += 1  # a check still running must not overwrite this one
        topic = self.topic
        if topic is None:
            self._show_problems([no_topic()])
            self._refuse(1)
            return
        draft = self.draft()
        problems = self.yaml_problems() + self.check_draft(topic, draft)
        self._show_problems(problems)
        errors = sum(p.severity == "error" for p in problems)
        if errors:
            self._refuse(errors)
            return
        self._write(topic, draft)

    def _refuse(self, errors: int) -> None:
        self.notify(f"Not saved: fix the {plural(errors, 'error')} first (in red beside "
                    "the fields).", severity="error", timeout=5)
        first = next((w for w in self.query(".field-problems") if w.display), None)
        if first is not None:
            first.scroll_visible()

    def _stamp_for(self, topic: str) -> FileStamp | None:
        """The topic file's stamp as first read (so a change by someone else is noticed)."""
        from quiz.bank.writer import topic_stamp

        if topic not in self._stamps:
            assert self.bank_dir is not None
            self._stamps[topic] = topic_stamp(self.bank_dir, topic)
        return self._stamps[topic]

    def _write(self, topic: str, draft: dict[str, Any]) -> None:
        from quiz.bank.writer import (
            BankConflict,
            BankWriteError,
            DraftError,
            add_question,
            edit_question,
        )
        from quiz.tui.authoring import reload_bank

        with_banks = [p for p in self.quiz.bank_paths if Path(p).exists()]
        try:
            if self.editing:
                assert self.path is not None and self.stamp is not None
                path = edit_question(self.path, str(self.question_id), draft,
                                     expected=self.stamp, with_banks=with_banks,
                                     bank=self.quiz.bank)
            else:
                assert self.bank_dir is not None
                path = add_question(self.bank_dir, topic, draft,
                                    expected=self._stamp_for(topic), with_banks=with_banks,
                                    bank=self.quiz.bank)
        except BankConflict as exc:
            self._conflict(exc, topic)
            return
        except DraftError as exc:
            self._show_problems(exc.problems)
            self._refuse(len(exc.problems))
            return
        except BankWriteError as exc:
            self.notify(shown(str(exc)), title="Not saved", severity="error", timeout=10,
                        markup=False)
            return
        qid = str(draft["id"])
        error = reload_bank(self.quiz, self.bank_dir if not self.editing else None)
        if error:
            self.notify(shown(error), title="Saved, but the bank did not reload",
                        severity="warning", timeout=10, markup=False)
        verb = "Saved" if self.editing else "Added"
        self.notify(shown(f"{verb} {qid} in {display_path(path)}."), timeout=4, markup=False)
        self.dismiss(qid)

    def _conflict(self, exc: BankConflict, topic: str) -> None:
        """Someone changed the file since it was read: offer to read it again and re-apply."""
        from quiz.bank.writer import BankWriteError, read_question
        from quiz.tui.screens.form_modals import ConflictModal

        def chosen(choice: str | None) -> None:
            if choice != "reload":
                return
            try:
                if self.editing:
                    assert self.path is not None
                    data, self.stamp, self.path = read_question(self.path,
                                                                str(self.question_id))
                    # the fields the form does not show come from the file as it is now
                    self.original = data
                else:
                    self._stamps.pop(topic, None)
            except BankWriteError as err:
                self.notify(shown(str(err)), title="Cannot reload", severity="error", timeout=10,
                            markup=False)
                return
            self.action_save()

        self.app.push_screen(ConflictModal(str(exc)), chosen)
