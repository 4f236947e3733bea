"""The progress store: every answer, committed before the caller sees the result.

``Store(engine, now=clock)`` checks the database is ours (without writing), migrates it, and
then offers the repository methods the app needs. See ``quiz.store`` for the overview.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from fsrs import Rating, Scheduler
from sqlalchemy import (
    Connection,
    String,
    bindparam,
    delete,
    false,
    func,
    insert,
    select,
    true,
    type_coerce,
    update,
)

from quiz.cards import is_lapse, new_card, rating_for
from quiz.store import convert
from quiz.store.answers import RecordedAnswer, ReviewEntry, SyncReport
from quiz.store.base import CARD, LOG, SESSION, owned
from quiz.store.history import HistoryStore
from quiz.store.records import (
    MODES,
    SCHEDULING_MODES,
    CardRecord,
    CardSummary,
    DueReview,
    Settings,
)

if TYPE_CHECKING:
    from quiz.bank import Bank, Question

# The longest time an answer is stored as having taken: what a 32-bit integer column holds
# (PostgreSQL's INTEGER; 24.8 days). A question left on screen longer is kept, at this.
MAX_DURATION_MS = 2**31 - 1
_SCHEDULE_COLUMNS = ("state", "step", "stability", "difficulty", "due", "last_review",
                     "lapses", "leech")
# Built once, values passed as parameters: recording an answer is on the hot path, and a
# statement with embedded values costs more to build and cache-key than to run. The learner
# is a parameter too (``b_learner``), filtered through the same ``owned`` as every query.
_LEARNER = bindparam("b_learner")
_MY_CARD = (owned(CARD, _LEARNER), CARD.c.question_id == bindparam("b_qid"))
_SELECT_CARD = select(CARD).where(*_MY_CARD)
_UPDATE_SCHEDULE = update(CARD).where(*_MY_CARD).values(
    {k: bindparam(f"b_{k}") for k in _SCHEDULE_COLUMNS})
_LOCK_CARD = _SELECT_CARD.with_for_update()  # Postgres & co.; SQLite's BEGIN IMMEDIATE locks
_INSERT_CARD = insert(CARD).values(learner=_LEARNER)
_UPDATE_CARD = update(CARD).where(*_MY_CARD)
_INSERT_LOG = insert(LOG).values(learner=_LEARNER)
# The review queue reads thousands of due cards: only the columns it needs, times as stored
# text parsed in convert (datetime.fromisoformat), no fsrs Card built per row.
_DUE_REVIEWS = select(
    CARD.c.question_id, CARD.c.stability, type_coerce(CARD.c.last_review, String),
    type_coerce(CARD.c.due, String),
).where(owned(CARD, _LEARNER), CARD.c.due <= bindparam("b_until"),
        CARD.c.last_review.is_not(None), CARD.c.suspended.is_(false()))
# The progress figures read every card: these columns only, times as stored text.
_CARD_SUMMARIES = select(
    CARD.c.question_id, CARD.c.state, CARD.c.stability, type_coerce(CARD.c.last_review, String),
    type_coerce(CARD.c.due, String), CARD.c.suspended, CARD.c.leech, CARD.c.difficulty,
    CARD.c.lapses).where(owned(CARD, _LEARNER))


class Store(HistoryStore):
    """Cards, answers, undo/regrade, flags and bank sync, on top of history and settings."""

    # --- answers -----------------------------------------------------------------------------

    def record_answer(self, question: Question, picked: Iterable[int], *, mode: str = "review",
                      session_id: int | None = None, duration_ms: int | None = None,
                      shown_order: Sequence[int] | None = None) -> RecordedAnswer:
        """Grade and store an answer (choice indices in bank order); returns after COMMIT.

        Review mode moves the question's fsrs card (wrong: Again, right: Good); practice and
        exam answers are logged without touching the schedule. A lapse (Again on a card in
        Review) is counted; the one that reaches ``Settings.leech_threshold`` marks the card a
        leech, and suspends it when ``leech_action`` says so. ``shown_order``: the bank indices
        of the choices in the order they were shown, kept with the log for the history.
        """
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
        chosen = tuple(sorted(set(picked)))
        if not chosen or not all(0 <= i < len(question.choices) for i in chosen):
            raise ValueError(f"{question.id}: pick one or more of choices "
                             f"0..{len(question.choices) - 1}, not {list(chosen)}")
        correct = frozenset(chosen) == question.correct_indices
        rating = rating_for(correct)
        fingerprint = question.fingerprint()
        order = tuple(shown_order) if shown_order is not None else None
        if order is not None and sorted(order) != list(range(len(question.choices))):
            raise ValueError(f"{question.id}: shown_order must be an order of the choices "
                             f"0..{len(question.choices) - 1}, not {list(order)}")
        if duration_ms is not None:
            duration_ms = min(duration_ms, MAX_DURATION_MS)
        now = self.now()

        def work(conn: Connection) -> RecordedAnswer:
            settings, scheduler = self._current_settings(conn)  # another copy's changes too
            before, exists = self._card_for_answer(conn, question.id, fingerprint, now)
            after = self._answered(before, rating, mode, now, duration_ms, scheduler)
            became_leech = False
            if mode in SCHEDULING_MODES and is_lapse(before.state, rating):
                after = replace(after, lapses=after.lapses + 1)
                if not after.leech and after.lapses >= settings.leech_threshold:
                    became_leech = True
                    after = replace(after, leech=True, suspended=after.suspended
                                    or settings.leech_action == "suspend")
            log_id = conn.execute(_INSERT_LOG, {
                "b_learner": self.learner, "question_id": question.id,
                "answered_at": convert.to_db_time(now),
                "picked": convert.picked_json(chosen), "correct": correct, "rating": int(rating),
                "duration_ms": duration_ms, "mode": mode, "session_id": session_id,
                "fingerprint": fingerprint, "card_before": convert.card_state_json(before),
                "shown_order": convert.shown_order_json(order),
            }).inserted_primary_key[0]
            self._save_card(conn, after, exists)
            return RecordedAnswer(log_id=int(log_id), question_id=question.id, correct=correct,
                                  rating=rating, card=after, scheduled=mode in SCHEDULING_MODES,
                                  became_leech=became_leech, before=before,
                                  answered_at=now)

        return self._write(work)

    def _card_for_answer(self, conn: Connection, question_id: str, fingerprint: str,
                         now: datetime) -> tuple[CardRecord, bool]:
        row = conn.execute(_LOCK_CARD, {"b_learner": self.learner, "b_qid": question_id}).first()
        if row is None:
            return CardRecord(question_id, new_card(question_id, now), fingerprint), False
        record = convert.card_from_row(row)
        if record.fingerprint != fingerprint:
            record = self._refreshed(record, fingerprint, now)
        return record, True

    def _refreshed(self, record: CardRecord, fingerprint: str, now: datetime) -> CardRecord:
        """The card for a question whose answer key changed: new again, history kept."""
        if not record.fingerprint:  # created by a flag before any answer: adopt, keep state
            return replace(record, fingerprint=fingerprint)
        return replace(record, card=new_card(record.question_id, now), fingerprint=fingerprint,
                       introduced_at=None, reset_at=now, lapses=0, leech=False)

    def _answered(self, before: CardRecord, rating: Rating, mode: str, now: datetime,
                  duration_ms: int | None, scheduler: Scheduler) -> CardRecord:
        after = replace(before, first_seen=before.first_seen or now, last_answered=now)
        if mode not in SCHEDULING_MODES:
            return after
        card, _ = scheduler.review_card(before.card, rating, review_datetime=now,
                                               review_duration=duration_ms)
        return replace(after, card=card,
                       introduced_at=now if before.is_new else before.introduced_at)

    def _save_card(self, conn: Connection, record: CardRecord, exists: bool) -> None:
        values = convert.card_values(record)
        if exists:
            conn.execute(_UPDATE_CARD, {"b_learner": self.learner, "b_qid": record.question_id,
                                        **values})
        else:
            conn.execute(_INSERT_CARD, {"b_learner": self.learner, **values})

    def regrade(self, log_id: int, rating: Rating) -> RecordedAnswer:
        """Re-rate the latest answer to a question (Hard: guessed, Easy: knew it instantly).

        The card is recomputed from the state saved before that answer; the log row keeps its
        id and gets the new rating, in one transaction. A wrong answer stays Again.
        """
        rating = Rating(rating)

        def work(conn: Connection) -> RecordedAnswer:
            _, scheduler = self._current_settings(conn)
            row = conn.execute(select(LOG).where(self._own(LOG), LOG.c.id == log_id)).first()
            if row is None:
                raise ValueError(f"no answer with log id {log_id}")
            entry = convert.review_from_row(row)
            if (rating == Rating.Again) == entry.correct:
                raise ValueError("a right answer is rated Hard, Good or Easy; a wrong one Again")
            latest = conn.execute(select(func.max(LOG.c.id)).where(
                self._own(LOG), LOG.c.question_id == entry.question_id)).scalar()
            if latest != log_id:
                raise ValueError(f"{entry.question_id}: only its latest answer can be regraded")
            current = self._card(conn, entry.question_id)
            if entry.mode in SCHEDULING_MODES:
                card, _ = scheduler.review_card(
                    entry.card_before.card, rating, review_datetime=entry.answered_at,
                    review_duration=entry.duration_ms)
                current = replace(current, card=card)
                self._save_card(conn, current, exists=True)
            conn.execute(update(LOG).where(self._own(LOG), LOG.c.id == log_id)
                         .values(rating=int(rating)))
            return RecordedAnswer(log_id=log_id, question_id=entry.question_id,
                                  correct=entry.correct, rating=rating, card=current,
                                  scheduled=entry.mode in SCHEDULING_MODES)

        return self._write(work)

    def undo_last(self, session_id: int | None) -> str | None:
        """Take back the session's latest answer (any session's if None); its question id.

        The log row goes and the card is rebuilt from the answers that remain: from its state
        before the undone answer, replaying (as ``rebuild_cards`` does) the scheduled answers
        logged after it, such as another copy of quiz gave meanwhile. With none, that is the
        state before the answer exactly. Flags stay as they are; lapses are counted again, and
        a leech mark (and a leech's suspension) the undone answer gave goes with it. None:
        nothing to undo.
        """
        def work(conn: Connection) -> str | None:
            settings, scheduler = self._current_settings(conn)
            query = select(LOG).where(self._own(LOG)).order_by(LOG.c.id.desc()).limit(1)
            if session_id is not None:
                query = query.where(LOG.c.session_id == session_id)
            row = conn.execute(query).first()
            if row is None:
                return None
            entry = convert.review_from_row(row)
            current = self._card(conn, entry.question_id)
            conn.execute(delete(LOG).where(self._own(LOG), LOG.c.id == entry.id))
            later = [convert.review_from_row(r) for r in conn.execute(
                select(LOG).where(self._own(LOG), LOG.c.question_id == entry.question_id,
                                  LOG.c.id > entry.id).order_by(LOG.c.id))]
            rebuilt = self._replayed(conn, entry, later, current, scheduler)
            rebuilt = self._leech_after_undo(rebuilt, entry, current, settings)
            self._save_card(conn, rebuilt, exists=True)
            return entry.question_id

        return self._write(work)

    def _replayed(self, conn: Connection, undone: ReviewEntry, later: list[ReviewEntry],
                  current: CardRecord, scheduler: Scheduler) -> CardRecord:
        """The card as if ``undone`` had never been given: its state before that answer with
        every later answer applied again (a bank change since then leaves the schedule to
        what came after it)."""
        # An answer key changed after the undone answer: the schedule owes it nothing.
        schedule = current.reset_at is None or current.reset_at <= undone.answered_at
        fed = self._fed_exam_sessions(conn, {e.session_id for e in later if e.mode == "exam"})
        lapses = self._lapses_before(conn, undone, current.reset_at) if schedule else 0
        record = replace(undone.card_before, fingerprint=current.fingerprint,
                         reset_at=current.reset_at, flagged=current.flagged,
                         suspended=current.suspended, leech=current.leech)
        for e in sorted(later, key=lambda e: (e.answered_at, e.id)):
            record = replace(record, first_seen=record.first_seen or e.answered_at,
                             last_answered=e.answered_at)
            if schedule and (e.mode in SCHEDULING_MODES
                             or (e.session_id in fed and not current.suspended)):
                lapses += is_lapse(record.card.state, e.rating)
                card, _ = scheduler.review_card(record.card, e.rating,
                                                review_datetime=e.answered_at,
                                                review_duration=e.duration_ms)
                record = replace(record, card=card, introduced_at=record.introduced_at
                                 or (e.answered_at if record.is_new else None))
        if not schedule:
            return replace(record, card=current.card, introduced_at=current.introduced_at,
                           lapses=current.lapses)
        return replace(record, lapses=lapses)

    def _lapses_before(self, conn: Connection, undone: ReviewEntry,
                       reset_at: datetime | None) -> int:
        """The lapses of ``undone``'s question from the answers logged before it, since the
        card's reset: each one's card_before says the state it met."""
        entries = [convert.review_from_row(r) for r in conn.execute(select(LOG).where(
            self._own(LOG), LOG.c.question_id == undone.question_id, LOG.c.id < undone.id,
            LOG.c.rating == int(Rating.Again)))]
        entries = [e for e in entries if reset_at is None or e.answered_at >= reset_at]
        fed = self._fed_exam_sessions(conn, {e.session_id for e in entries if e.mode == "exam"})
        return sum(is_lapse(e.card_before.state, e.rating) for e in entries
                   if e.mode in SCHEDULING_MODES or e.session_id in fed)

    @staticmethod
    def _leech_after_undo(record: CardRecord, undone: ReviewEntry, current: CardRecord,
                          settings: Settings) -> CardRecord:
        """A leech mark that the undone answer gave (it was not a leech before it, and the
        lapses left are below the threshold) goes, and so does a leech's suspension."""
        if not current.leech or undone.card_before.leech \
                or record.lapses >= settings.leech_threshold:
            return record
        return replace(record, leech=False, suspended=current.suspended
                       and settings.leech_action != "suspend")

    def _fed_exam_sessions(self, conn: Connection, session_ids: set[int | None]) -> set[int]:
        """Of these sessions, the exam attempts handed in: their answers fed the schedule."""
        ids = {i for i in session_ids if i is not None}
        if not ids:
            return set()
        return set(conn.execute(select(SESSION.c.id).where(
            self._own(SESSION), SESSION.c.id.in_(sorted(ids)),
            SESSION.c.finished_at.is_not(None))).scalars())

    # --- cards -------------------------------------------------------------------------------

    def _card(self, conn: Connection, question_id: str) -> CardRecord:
        row = conn.execute(_SELECT_CARD, {"b_learner": self.learner, "b_qid": question_id}).first()
        assert row is not None, question_id  # an answer always leaves a card row
        return convert.card_from_row(row)

    def card(self, question_id: str) -> CardRecord | None:
        """A question's card; None before its first answer or flag."""
        with self._read() as conn:
            row = conn.execute(select(CARD).where(self._own(CARD),
                                                  CARD.c.question_id == question_id)).first()
            return convert.card_from_row(row) if row is not None else None

    def cards(self) -> dict[str, CardRecord]:
        """Every card, by question id (including orphans no longer in the bank)."""
        with self._read() as conn:
            return {r.question_id: convert.card_from_row(r)
                    for r in conn.execute(select(CARD).where(self._own(CARD)))}

    def card_summaries(self) -> dict[str, CardSummary]:
        """What the progress figures need of every card, by question id (orphans included)."""
        with self._read() as conn:
            return {r[0]: convert.card_summary_from_row(r)
                    for r in conn.execute(_CARD_SUMMARIES, {"b_learner": self.learner})}

    def due_cards(self, until: datetime) -> list[CardRecord]:
        """Started, unsuspended cards due at or before ``until``."""
        query = select(CARD).where(self._own(CARD), CARD.c.due <= convert.to_db_time(until),
                                   CARD.c.last_review.is_not(None),
                                   CARD.c.suspended.is_(false()))
        with self._read() as conn:
            return [convert.card_from_row(r) for r in conn.execute(query)]

    def cards_due_after(self, after: datetime) -> list[CardRecord]:
        """Started, unsuspended cards due after ``after``, earliest first (the exam-date
        cap's: one indexed read rather than every card converted)."""
        query = select(CARD).where(self._own(CARD), CARD.c.due > convert.to_db_time(after),
                                   CARD.c.last_review.is_not(None),
                                   CARD.c.suspended.is_(false())
                                   ).order_by(CARD.c.due, CARD.c.question_id)
        with self._read() as conn:
            return [convert.card_from_row(r) for r in conn.execute(query)]

    def due_reviews(self, until: datetime) -> list[DueReview]:
        """What the review queue needs of ``due_cards`` (thousands of them), and nothing more."""
        with self._read() as conn:
            rows = conn.execute(_DUE_REVIEWS, {"b_learner": self.learner,
                                               "b_until": convert.to_db_time(until)})
            return [convert.due_review_from_row(r) for r in rows]

    def _ids(self, *conditions: Any) -> set[str]:
        with self._read() as conn:
            return set(conn.execute(select(CARD.c.question_id).where(self._own(CARD),
                                                                     *conditions)).scalars())

    def started_ids(self) -> set[str]:
        """Questions no longer new: answered in review mode since their card was made."""
        return self._ids(CARD.c.last_review.is_not(None))

    def suspended_ids(self) -> set[str]:
        """Suspended questions."""
        return self._ids(CARD.c.suspended.is_(true()))

    def flagged_ids(self) -> set[str]:
        """Flagged questions."""
        return self._ids(CARD.c.flagged.is_(true()))

    def introduced_count(self, start: datetime, end: datetime) -> int:
        """How many new questions got their first scheduled answer in [start, end)."""
        query = select(func.count()).where(
            self._own(CARD), CARD.c.introduced_at >= convert.to_db_time(start),
            CARD.c.introduced_at < convert.to_db_time(end))
        with self._read() as conn:
            return int(conn.execute(query).scalar() or 0)

    def set_flagged(self, question_id: str, flagged: bool = True) -> None:
        """Flag (or unflag) a question for a later look."""
        self._set_mark(question_id, flagged=flagged)

    def set_suspended(self, question_id: str, suspended: bool = True) -> None:
        """Suspend (or unsuspend) a question: suspended ones are never queued for review."""
        self._set_mark(question_id, suspended=suspended)

    def _set_mark(self, question_id: str, **mark: bool) -> None:
        now = self.now()

        def work(conn: Connection) -> None:
            done = conn.execute(update(CARD).where(self._own(CARD),
                                                   CARD.c.question_id == question_id)
                                .values(**mark))
            if done.rowcount == 0:
                record = CardRecord(question_id, new_card(question_id, now), **mark)
                self._save_card(conn, record, exists=False)

        self._write(work)

    def set_marks(self, question_ids: Iterable[str], *, flagged: bool | None = None,
                  suspended: bool | None = None) -> None:
        """Flag and/or suspend (or clear either of) many questions, in one transaction."""
        mark = {name: value for name, value in (("flagged", flagged), ("suspended", suspended))
                if value is not None}
        ids = list(dict.fromkeys(question_ids))
        now = self.now()

        def work(conn: Connection) -> None:
            existing = set(conn.execute(select(CARD.c.question_id).where(
                self._own(CARD), CARD.c.question_id.in_(ids))).scalars())
            conn.execute(update(CARD).where(self._own(CARD), CARD.c.question_id.in_(ids))
                         .values(**mark))
            for question_id in ids:
                if question_id not in existing:
                    record = CardRecord(question_id, new_card(question_id, now), **mark)
                    self._save_card(conn, record, exists=False)

        if ids and mark:
            self._write(work)

    def save_schedules(self, records: Iterable[CardRecord],
                       expected: Mapping[str, CardRecord] | None = None) -> list[str]:
        """Overwrite the fsrs state, lapses and leech mark of cards (``rebuild_cards``, exam
        answers fed to the schedule), in one transaction.

        ``expected``: the state each card was read in; a card whose stored state differs
        now (another copy answered it meanwhile) is left alone and its id returned, for the
        caller to compute again from the answers as they are now.
        """
        records = list(records)

        def work(conn: Connection) -> list[str]:
            moved: set[str] = set()
            if expected is not None:
                wanted = {r.question_id for r in records}
                for row in conn.execute(select(CARD).where(self._own(CARD))):
                    if row.question_id in wanted:
                        now, was = convert.card_from_row(row), expected[row.question_id]
                        if (was.card, was.lapses, was.leech) != (now.card, now.lapses, now.leech):
                            moved.add(row.question_id)
            self._save_schedules(conn, [r for r in records if r.question_id not in moved])
            return sorted(moved)

        return self._write(work) if records else []

    def reschedule_with(self, settings: Mapping[str, Any], records: Iterable[CardRecord],
                        expected: Mapping[str, CardRecord]) -> list[str]:
        """Save the settings ``settings`` (as ``update_settings``) and the cards ``records``
        rescheduled under them (as ``save_schedules``) in one transaction, all or nothing.

        ``expected``: every card as the caller read it. If a card differs now (another copy
        answered it, or answered a question for the first time, meanwhile), nothing is written
        and the ids of those cards are returned, for the caller to compute again; else [].
        """
        records = list(records)
        write_settings, saved = self._settings_write(dict(settings))

        def work(conn: Connection) -> list[str]:
            moved = set()
            for row in conn.execute(select(CARD).where(self._own(CARD))):
                now, was = convert.card_from_row(row), expected.get(row.question_id)
                if was is None and not now.is_new or was is not None and \
                        (was.card, was.lapses, was.leech) != (now.card, now.lapses, now.leech):
                    moved.add(row.question_id)
            if moved:
                return sorted(moved)
            write_settings(conn)
            self._save_schedules(conn, records)
            return []

        moved = self._write(work)
        if not moved:
            saved()
        return moved

    def _save_schedules(self, conn: Connection, records: list[CardRecord]) -> None:
        """Overwrite the schedule columns of this learner's cards ``records``."""
        rows = []
        for record in records:
            values = convert.card_values(record)
            rows.append({"b_learner": self.learner, "b_qid": record.question_id,
                         **{f"b_{k}": values[k] for k in _SCHEDULE_COLUMNS}})
        if rows:
            conn.execute(_UPDATE_SCHEDULE, rows)

    # --- the bank ----------------------------------------------------------------------------

    def sync_bank(self, bank: Bank) -> SyncReport:
        """Reset cards whose answer key changed; report questions gone from the bank.

        A changed ``Question.fingerprint()`` gives the question a fresh (new) card; its old
        answers stay in the log. Removed questions keep their card and history (orphaned).
        """
        now = self.now()

        def work(conn: Connection) -> list[str]:
            reset = []
            rows = conn.execute(select(CARD.c.question_id, CARD.c.fingerprint)
                                .where(self._own(CARD))).all()
            for question_id, fingerprint in rows:
                question = bank.questions.get(question_id)
                if question is None or bank.fingerprint(question) == fingerprint:
                    continue
                record = self._refreshed(self._card(conn, question_id), bank.fingerprint(question),
                                         now)
                self._save_card(conn, record, exists=True)
                if fingerprint:
                    reset.append(question_id)
            return sorted(reset)

        reset = self._write(work)
        return SyncReport(reset=tuple(reset), orphaned=tuple(self.orphaned_ids(bank)))

    def orphaned_ids(self, bank: Bank) -> list[str]:
        """Questions with progress (a card or answers) that the bank no longer has."""
        known = set(bank.questions)
        return sorted((self._ids() | self.logged_question_ids()) - known)
