"""Domain objects the store hands out and takes in: plain dataclasses, all datetimes UTC-aware.

These are the cards, settings, sessions and exams every first screen reads; the records of
answers logged and recorded, of a bank sync and of an fsrs fit are in ``quiz.store.answers``
(on Python 3.11 each dataclass costs ~4M instructions to build, at every start that imports
it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from fsrs import Card, State

from quiz.cards import check_parameters

if TYPE_CHECKING:
    from quiz.store.answers import FsrsFit

MODES = ("review", "practice", "exam")
SCHEDULING_MODES = frozenset({"review"})  # practice and exam answers are logged, not scheduled
EXAM_POSITION = "exam_position:"  # setting key prefix: where an open attempt's paper is


@dataclass(frozen=True)
class CardRecord:
    """A question's scheduling state: the fsrs card and the app's own fields beside it."""

    question_id: str
    card: Card
    fingerprint: str = ""
    first_seen: datetime | None = None
    last_answered: datetime | None = None
    introduced_at: datetime | None = None
    reset_at: datetime | None = None
    flagged: bool = False
    suspended: bool = False
    lapses: int = 0  # scheduled answers rated Again while in Review, since the card was made
    leech: bool = False  # lapsed ``Settings.leech_threshold`` times: marked until a reset

    @property
    def is_new(self) -> bool:
        """Never answered in review mode since its card was (re)created."""
        return self.card.last_review is None

    @property
    def state(self) -> State:
        """The fsrs state (Learning, Review, Relearning); new cards are Learning too."""
        return self.card.state

    @property
    def due(self) -> datetime:
        """When the card is next due (UTC)."""
        return self.card.due


class DueReview(NamedTuple):
    """A due card as the review queue sees it; has what ``get_card_retrievability`` reads."""

    question_id: str
    stability: float
    last_review: datetime
    due: datetime


class CardSummary(NamedTuple):
    """What the progress figures read of a card, for thousands of cards at once (no fsrs
    ``Card`` built per row); has what ``get_card_retrievability`` reads."""

    question_id: str
    state: State
    stability: float | None
    last_review: datetime | None
    due: datetime
    suspended: bool
    leech: bool = False
    difficulty: float | None = None  # fsrs difficulty, 1..10 (None before the first review)
    lapses: int = 0

    @property
    def is_new(self) -> bool:
        """Never answered in review mode since its card was (re)created."""
        return self.last_review is None


@dataclass(frozen=True)
class TopicResult:
    """Correct answers out of the total for one topic."""

    correct: int = 0
    total: int = 0


@dataclass(frozen=True)
class SessionRecord:
    """A study session (review or practice) or the common part of an exam attempt."""

    id: int
    mode: str
    started_at: datetime
    topic: str | None = None
    concept: str | None = None
    finished_at: datetime | None = None
    score: int | None = None
    total: int | None = None
    per_topic: dict[str, TopicResult] = field(default_factory=dict)


@dataclass(frozen=True)
class ExamAttempt:
    """An exam attempt: its session plus the paper and the answers given so far."""

    session: SessionRecord
    question_ids: tuple[str, ...]
    time_limit_s: int | None = None
    pass_mark: float | None = None
    answers: dict[str, tuple[int, ...]] = field(default_factory=dict)
    flags: frozenset[str] = frozenset()  # question ids flagged for review during the exam

    @property
    def id(self) -> int:
        """The attempt's id: its study session's id."""
        return self.session.id

    @property
    def passed(self) -> bool | None:
        """None until finished or when there is no pass mark."""
        s = self.session
        if s.score is None or not s.total or self.pass_mark is None:
            return None
        return s.score / s.total >= self.pass_mark


LEECH_ACTIONS = ("tag", "suspend")  # what happens to a question that became a leech
MAX_INTERVAL_DAYS = 36500  # fsrs's own default maximum interval (100 years)


@dataclass(frozen=True)
class Settings:
    """User settings kept in the database (``check_setting`` says what each may hold)."""

    desired_retention: float = 0.9  # fsrs: the recall probability reviews are scheduled for
    daily_new_limit: int = 20  # new questions introduced per local day in review mode
    exam_date: date | None = None  # the day of the real exam, for countdowns
    maximum_interval: int = MAX_INTERVAL_DAYS  # days: no review is scheduled further out
    practice_length: int = 20  # questions in a practice session; 0: every question it has
    theme: str | None = None  # a Textual theme's name; None: the app's default
    leech_threshold: int = 8  # lapses (a review card answered wrong) that make a leech
    leech_action: str = "tag"  # "tag": marked only; "suspend": also taken out of reviews
    # fsrs model weights fitted to this user's history (``quiz optimize``); None: the defaults
    fsrs_parameters: tuple[float, ...] | None = None
    fsrs_fit: FsrsFit | None = None  # how the saved fsrs_parameters were fitted; None: never


def check_setting(name: str, value: Any) -> Any:
    """``value`` if setting ``name`` may hold it, else ValueError saying what it may hold.

    The one definition: the store checks what it writes and what it reads back with it.
    """
    def whole(low: int, high: int) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ValueError(f"{name} must be a whole number from {low} to {high}")
        return value

    if name == "desired_retention":
        if isinstance(value, bool) or not isinstance(value, int | float) \
                or not 0.7 <= value <= 0.99:
            raise ValueError("desired_retention must be between 0.7 and 0.99")
        return float(value)
    if name == "daily_new_limit":
        return whole(0, 9999)
    if name == "exam_date":
        if value is not None and (not isinstance(value, date) or isinstance(value, datetime)):
            raise ValueError("exam_date must be a date")
        return value
    if name == "maximum_interval":
        return whole(1, MAX_INTERVAL_DAYS)
    if name == "practice_length":
        return whole(0, 9999)
    if name == "theme":
        if value is not None and (not isinstance(value, str) or not value
                                  or len(value) > 64
                                  or not all(c.isascii() and (c.isalnum() or c in "-_")
                                             for c in value)):
            raise ValueError("theme must be a theme's name (letters, digits, - and _)")
        return value
    if name == "leech_threshold":
        return whole(2, 99)
    if name == "leech_action":
        if value not in LEECH_ACTIONS:
            raise ValueError(f"leech_action must be one of {', '.join(LEECH_ACTIONS)}")
        return value
    if name == "fsrs_parameters":
        if value is None:
            return None
        try:
            return check_parameters(value)
        except ValueError as error:
            raise ValueError(f"fsrs_parameters must be {error}") from None
    if name == "fsrs_fit":
        if value is None:
            return None
        from quiz.store.answers import FsrsFit  # only a user who ran quiz optimize has one

        try:
            return FsrsFit.from_json(value)
        except ValueError as error:
            raise ValueError(f"fsrs_fit must be {error}") from None
    raise ValueError(f"unknown setting: {name}")
