"""What the answer history says: accuracy over recent windows, the last weeks' answers and
true retention, the time answers take and the hardest questions (the daily streak:
``quiz.streak``).

Shared by ``quiz.stats`` (``quiz stats``, the stats screen) and ``quiz.readiness``, so that
neither needs the other.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import TYPE_CHECKING, Any

from quiz.store.tallies import MATURE, YOUNG

if TYPE_CHECKING:
    from quiz.bank import Bank
    from quiz.store import Store


@dataclass(frozen=True)
class Accuracy:
    """Share of correct answers (all modes); None where there were no answers."""

    overall: float | None
    last_7_days: float | None
    last_30_days: float | None


def answer_accuracy(store: Store, now: datetime,
                    totals: tuple[int, int] | None = None) -> Accuracy:
    """Overall, last-7-days and last-30-days accuracy; ``totals``: the store's
    ``answer_counts()`` (all answers, correct ones) when the caller already has them."""
    reviews, correct = store.answer_counts() if totals is None else totals
    return Accuracy(
        overall=correct / reviews if reviews else None,
        last_7_days=_accuracy(store, now - timedelta(days=7)),
        last_30_days=_accuracy(store, now - timedelta(days=30)),
    )


def _accuracy(store: Store, since: datetime) -> float | None:
    total, correct = store.answer_counts(since)
    return correct / total if total else None


# --- the answer history by week, time per answer, the hardest questions ---------------------

HISTORY_WEEKS = 12
HARDEST_LISTED = 10
HARDEST_MIN_ANSWERS = 3  # fewer answers say little about a question
# Time per answer: buckets' lower bounds in seconds, and their labels.
TIME_BUCKETS = ((0, "<5s"), (5, "5s"), (10, "10s"), (20, "20s"), (30, "30s"), (60, "1m"),
                (120, "2m+"))
MODE_ORDER = ("review", "practice", "exam")


@dataclass(frozen=True)
class Tally:
    """Answers and how many were right."""

    answers: int = 0
    correct: int = 0

    @property
    def rate(self) -> float | None:
        """The share right; None without answers."""
        return self.correct / self.answers if self.answers else None

    def __add__(self, other: Tally) -> Tally:
        return Tally(self.answers + other.answers, self.correct + other.correct)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, with the rate."""
        return {"answers": self.answers, "correct": self.correct, "rate": self.rate}


@dataclass(frozen=True)
class WeekFigures:
    """One local week (Monday to Sunday): every answer, and Anki's true retention: the answers
    to cards in review (review and exam modes), young (interval < 21 days) and mature."""

    week: date  # its Monday
    answers: Tally
    young: Tally
    mature: Tally

    @property
    def retention(self) -> Tally:
        """Young and mature together."""
        return self.young + self.mature


@dataclass(frozen=True)
class AnswerTime:
    """How long the answers of one mode took (``review_log.duration_ms``)."""

    mode: str
    answers: int
    median_s: float | None  # to a tenth of a second
    histogram: list[tuple[str, int]]  # TIME_BUCKETS' labels and counts


@dataclass(frozen=True)
class HardQuestion:
    """A question often missed: its answers (all modes, ever), right ones, lapses in review."""

    question_id: str
    answers: int
    correct: int
    lapses: int
    leech: bool

    @property
    def rate(self) -> float | None:
        """The share right; None without answers."""
        return self.correct / self.answers if self.answers else None


@dataclass(frozen=True)
class History:
    """What the answer history says week by week, and of each question."""

    weeks: list[WeekFigures]  # oldest first, to this week
    topic_weeks: dict[str, list[Tally]]  # accuracy per topic, one Tally per week of ``weeks``
    answer_times: list[AnswerTime]  # modes with timed answers, in MODE_ORDER
    hardest: list[HardQuestion]  # lowest share right (at least HARDEST_MIN_ANSWERS answers)
    most_lapses: list[HardQuestion]  # most lapses, then lowest share right

    def retention(self) -> tuple[Tally, Tally]:
        """(young, mature) over all of ``weeks``."""
        young, mature = Tally(), Tally()
        for w in self.weeks:
            young, mature = young + w.young, mature + w.mature
        return young, mature

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (weeks as the ISO date of their Monday)."""
        young, mature = self.retention()

        def hard(q: HardQuestion) -> dict[str, Any]:
            return {"id": q.question_id, "answers": q.answers, "correct": q.correct,
                    "rate": q.rate, "lapses": q.lapses, "leech": q.leech}

        return {
            "weeks": [w.week.isoformat() for w in self.weeks],
            "answers_per_week": [w.answers.to_dict() for w in self.weeks],
            "retention": {
                "definition": "right answers to cards in review (review and exam modes); "
                              "young: interval before the answer < 21 days, mature: >= 21",
                "per_week": [{"week": w.week.isoformat(), "young": w.young.to_dict(),
                              "mature": w.mature.to_dict(), "total": w.retention.to_dict()}
                             for w in self.weeks],
                "young": young.to_dict(), "mature": mature.to_dict(),
                "total": (young + mature).to_dict(),
            },
            "topic_accuracy": {t: [x.to_dict() for x in tallies]
                               for t, tallies in self.topic_weeks.items()},
            "answer_time": {a.mode: {"answers": a.answers, "median_s": a.median_s,
                                     "histogram": [[label, n] for label, n in a.histogram]}
                            for a in self.answer_times},
            "hardest": [hard(q) for q in self.hardest],
            "most_lapses": [hard(q) for q in self.most_lapses],
        }


def _local_offset(now: datetime, tz: tzinfo | None) -> str:
    """SQLite's modifier from UTC to local time: the system's own, or ``tz``'s offset now."""
    if tz is None:
        return "localtime"
    offset = now.astimezone(tz).utcoffset() or timedelta()
    return f"{int(offset.total_seconds() // 60):+d} minutes"


def answer_history(bank: Bank, store: Store, now: datetime, tz: tzinfo | None = None,
                   weeks: int = HISTORY_WEEKS) -> History:
    """The last ``weeks`` local weeks (Monday first) of answers, the time answers took and the
    hardest questions, from three aggregate reads. With ``tz``, weeks follow its offset at
    ``now`` (without, the system's local time, exactly)."""
    local_now = now.astimezone(tz) if tz is not None else now.astimezone()
    monday = local_now.date() - timedelta(days=local_now.weekday())
    first = monday - timedelta(weeks=weeks - 1)
    start = datetime.combine(first, time(), tzinfo=tz) if tz is not None \
        else datetime.combine(first, time()).astimezone()
    mondays = [first + timedelta(weeks=i) for i in range(weeks)]
    index = {d.isoformat(): i for i, d in enumerate(mondays)}
    answers = [Tally()] * weeks
    young = [Tally()] * weeks
    mature = [Tally()] * weeks
    topics = {q.id: q.topic for q in bank.questions.values()}
    topic_weeks = {t: [Tally()] * weeks for t in sorted(set(topics.values()),
                                                         key=_topic_order(bank))}
    for row in store.weekly_tally(start, _local_offset(now, tz)):
        i = index.get(row.week)
        if i is None:
            continue
        tally = Tally(row.answers, row.correct)
        answers[i] += tally
        if row.kind == YOUNG:
            young[i] += tally
        elif row.kind == MATURE:
            mature[i] += tally
        topic = topics.get(row.question_id)
        if topic is not None:
            topic_weeks[topic][i] += tally
    return History(
        weeks=[WeekFigures(d, answers[i], young[i], mature[i]) for i, d in enumerate(mondays)],
        topic_weeks=topic_weeks,
        answer_times=answer_times(store.duration_tally()),
        **_hard_questions(bank, store),
    )


def _topic_order(bank: Bank) -> Callable[[str], tuple[int, str]]:
    """Topics in the bank's order; any other after them, by id."""
    order = {t: i for i, t in enumerate(bank.topics)}
    return lambda t: (order.get(t, len(order)), t)


def answer_times(rows: list[tuple[str, int, int]]) -> list[AnswerTime]:
    """Per mode: answers, median and histogram, from (mode, tenths of a second, count)."""
    by_mode: dict[str, list[tuple[int, int]]] = {}
    for mode, tenths, n in rows:
        by_mode.setdefault(mode, []).append((tenths, n))
    found = []
    for mode in sorted(by_mode, key=lambda m: (m not in MODE_ORDER, MODE_ORDER.index(m)
                                               if m in MODE_ORDER else 0, m)):
        counts = sorted(by_mode[mode])
        total = sum(n for _, n in counts)
        buckets = [0] * len(TIME_BUCKETS)
        for tenths, n in counts:
            seconds = tenths / 10
            buckets[max(i for i, (low, _) in enumerate(TIME_BUCKETS) if seconds >= low)] += n
        found.append(AnswerTime(mode, total, _median_tenths(counts, total),
                                [(label, buckets[i]) for i, (_, label) in
                                 enumerate(TIME_BUCKETS)]))
    return found


def _median_tenths(counts: list[tuple[int, int]], total: int) -> float | None:
    """The median (in seconds) of values given as sorted (tenths, count)."""
    if not total:
        return None

    def nth(k: int) -> int:  # the k-th value (0-based) in order
        seen = 0
        for tenths, n in counts:
            seen += n
            if k < seen:
                return tenths
        raise IndexError(k)

    middle = (nth((total - 1) // 2) + nth(total // 2)) / 2
    return round(middle / 10, 2)


def _hard_questions(bank: Bank, store: Store) -> dict[str, list[HardQuestion]]:
    """The bank's questions missed most often, and those with the most lapses."""
    tally = store.question_tally()
    cards = store.card_summaries()

    def hard(qid: str) -> HardQuestion:
        answers, correct = tally.get(qid, (0, 0))
        card = cards.get(qid)
        return HardQuestion(qid, answers, correct, card.lapses if card else 0,
                            bool(card and card.leech))

    missed = [hard(qid) for qid, (n, right) in tally.items()
              if qid in bank.questions and n >= HARDEST_MIN_ANSWERS and right < n]
    missed.sort(key=lambda q: (q.correct / q.answers, -q.answers, q.question_id))
    lapsed = [hard(qid) for qid, c in cards.items() if c.lapses and qid in bank.questions]
    lapsed.sort(key=lambda q: (-q.lapses, q.rate if q.rate is not None else 1.0,
                               q.question_id))
    return {"hardest": missed[:HARDEST_LISTED], "most_lapses": lapsed[:HARDEST_LISTED]}
