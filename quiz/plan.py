"""Plan to the exam date: the user's deck simulated (``quiz.simulation``) under the current
settings and under recommended ones.

The learner is simulated as their history shows them: a new question is answered right the
first time as often as their first answers were (``FIRST_PRIOR`` smooths a short history;
with none it is one in two); a right review answer is graded Hard or Easy as often as they
grade theirs (``GRADE_PRIOR``: with no history, always Good, the app's own grade); and a day
passes without study as often as it did in their last ``SKIP_WINDOW`` days (``SKIP_PRIOR``:
with no history, every day is studied). Intervals carry fsrs's fuzz when their scheduler
fuzzes (the app's does). There is no daily review limit in the app, so none in the plan. On
days studied every due review is done; with everything seen, the exam-date cap reviews each
question in the last days, so a learner who studies every day is predicted near 100%, and
days off (the last ones above all) are what brings it down. Questions never seen count 0,
so an empty history with no new questions predicts 0%.

The recommended settings: the fewest new questions a day that see the whole bank by the day
before the exam (or the current limit if it already does), and the desired retention that
costs the fewest answers among those whose predicted score is within ``SCORE_SLACK`` of the
best any of ``RETENTIONS`` (and the current one) reaches with that many new a day. Anki's
"optimal retention" minimises work per memorised card over years; before a dated exam the
exam-date cap brings every question back in the last days anyway, so a higher retention
mostly buys reviews, and the search says how much score, if any, they buy over this horizon.
Deterministic under a seed.

Why our own Monte Carlo rather than fsrs-rs-python's: its ``simulate`` (0.9.3) starts from an
empty deck (it takes no existing cards), knows nothing of an exam-date cap or of topics, and
its ``optimal_retention`` minimises work per memorised card over a long horizon. Cost: 150
runs of the 301-question bank over 60 days take ~0.7-1 s of CPU; a whole plan (two such runs
and the retention search) ~2.5-3.4 s on the 2-core machine (loaded; 1.9-2.2 s before the
grades, the fuzz and the days off, whose more varied paths share fewer steps: they cost the
runs, 200 then and 150 now, and 50 then and 40 now per searched retention). The app runs it
in a thread behind a progress bar; a larger deck gets fewer runs (``RUN_BUDGET``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING

from quiz.clock import utc
from quiz.exam import KCSA
from quiz.readiness import predicted_score, spread_offsets
from quiz.scheduling import due_today
from quiz.simulation import BAND, RUNS, Band, Deck, Model, Outcome, simulate

if TYPE_CHECKING:
    from fsrs import Scheduler

    from quiz.bank import Bank
    from quiz.store import Store

SEARCH_RUNS = 40  # runs per candidate retention in the search
# A large deck gets fewer runs (its figures average over more questions anyway): runs times
# questions stays under this: 150 runs of a 300-question bank (~1 s of CPU for 60 days).
RUN_BUDGET = 45_000
MIN_RUNS = 20
# The plan looks at most a year ahead: the simulation's work grows with the days, and an exam
# further out than a year is better planned nearer the time (Anki's simulator's span too).
MAX_PLAN_DAYS = 365
RETENTIONS = (0.70, 0.75, 0.80, 0.85, 0.90, 0.95)
SCORE_SLACK = 0.01  # one point of predicted score
FIRST_PRIOR = (4, 0.5)  # a short history's first answers weigh against 4 answers at 50%
GRADE_PRIOR = (4, 0.0)  # and its Hard/Easy grades against 4 right answers graded Good
# Days off: the share of the last SKIP_WINDOW days (since the first answer, if later) without
# an answer, weighed against SKIP_PRIOR (a week of study every day).
SKIP_WINDOW = 28
SKIP_PRIOR = (7, 0.0)
MAX_NEW = 9999  # the daily new limit's largest setting


class NoPlan(ValueError):
    """Nothing to plan: no exam date, or it is today or past. The message says which."""


def _local_date(t: datetime, tz: tzinfo | None) -> date:
    return (t.astimezone(tz) if tz is not None else t.astimezone()).date()


def _day_start(day: date, tz: tzinfo | None) -> datetime:
    start = datetime.combine(day, datetime.min.time(), tzinfo=tz) if tz is not None \
        else datetime.combine(day, datetime.min.time()).astimezone()
    return utc(start)


def read_deck(bank: Bank, store: Store, now: datetime,
              tz: tzinfo | None = None) -> tuple[Deck, date, date]:
    """The deck to simulate from the stored cards and settings, today and the exam date;
    ``NoPlan`` without an exam date, on or after it, or more than a year before it."""
    now = utc(now)
    exam_date = store.settings().exam_date
    today = _local_date(now, tz)
    if exam_date is None:
        raise NoPlan("No exam date set: set one in the settings (or quiz --exam-date "
                     "YYYY-MM-DD) to plan for it")
    if exam_date <= today:
        when = "today" if exam_date == today else f"past ({exam_date.isoformat()})"
        raise NoPlan(f"The exam date is {when}: nothing left to plan; set the next one")
    days = (exam_date - today).days
    if days > MAX_PLAN_DAYS:
        raise NoPlan(f"The exam date ({exam_date.isoformat()}) is {days} days away: the plan "
                     f"looks at most {MAX_PLAN_DAYS} days ahead; plan nearer the time")
    start, end = _day_start(today, tz), _day_start(today + timedelta(days=1), tz)
    hard, easy = _grades(store)
    deck = Deck(days, (_day_start(exam_date, tz) - now) / timedelta(days=1),
                introduced_today=store.introduced_count(start, end),
                first_right=_first_right(store), hard=hard, easy=easy,
                skip=_days_off(store, now, tz))
    deck.topics = list(dict.fromkeys(q.topic for q in bank.questions.values()))
    deck.weights = [bank.topics[t].weight if t in bank.topics else 1.0 for t in deck.topics]
    index = {t: i for i, t in enumerate(deck.topics)}
    # Today's new questions with no limit: every unseen one, in the order reviews bring them.
    fresh = due_today(bank, store, now, new_limit=len(bank.questions) + MAX_NEW, tz=tz).new
    fresh_ids = {q.id for q in fresh}
    records = store.cards()
    late: list[tuple[datetime, str, int]] = []
    for q in bank.questions.values():
        record = records.get(q.id)
        if q.id in fresh_ids:
            continue
        card = record.card if record is not None else None
        if record is None or card is None or card.last_review is None \
                or card.stability is None:
            deck.add(index[q.topic])  # suspended before it was ever answered
            continue
        due = max(0, (_local_date(card.due, tz) - today).days)
        n = deck.add(index[q.topic], float(card.stability), float(card.difficulty or 0.0),
                     int(card.state), card.step or 0,
                     (utc(card.last_review) - now) / timedelta(days=1),
                     None if record.suspended or due >= days else due)
        if not record.suspended and due >= days:
            late.append((utc(card.due), q.id, n))
    late.sort()  # the exam-date cap, as readiness.exam_date_cap moves them
    for (_, _, n), offset in zip(late, spread_offsets(len(late), days), strict=True):
        deck.due_day[n] = offset
    for q in fresh:
        deck.add_fresh(index[q.topic])
    return deck, today, exam_date


def _first_right(store: Store) -> float:
    """How often a question is answered right the first time (smoothed by ``FIRST_PRIOR``)."""
    total, right = store.first_answer_counts()
    weight, prior = FIRST_PRIOR
    return (right + weight * prior) / (total + weight)


def _grades(store: Store) -> tuple[float, float]:
    """How often the learner grades a right review answer Hard and Easy (smoothed by
    ``GRADE_PRIOR``: few answers say little, and the app's own grade is Good)."""
    counts = store.rating_tally()
    right = sum(n for rating, n in counts.items() if rating > 1)
    weight, prior = GRADE_PRIOR

    def share(rating: int) -> float:
        return (counts.get(rating, 0) + weight * prior) / (right + weight)

    return share(2), share(4)


def _days_off(store: Store, now: datetime, tz: tzinfo | None) -> float:
    """The chance the learner lets a day pass without studying: the share of the days
    without an answer among the last ``SKIP_WINDOW`` before today (from the first answer, if
    that came later), smoothed by ``SKIP_PRIOR``."""
    today = _local_date(now, tz)
    since = _day_start(today - timedelta(days=SKIP_WINDOW), tz)
    days = {_local_date(t, tz) for hour in store.answer_hours(since=since) for t in hour}
    first = today - timedelta(days=SKIP_WINDOW)
    if store.answer_counts(since)[0] == store.answer_counts()[0]:  # began in the window
        first = min(days, default=today)
    window = (today - first).days
    studied = sum(first <= d < today for d in days)
    weight, prior = SKIP_PRIOR
    return (window - studied + weight * prior) / (window + weight)


def needed_new_per_day(deck: Deck) -> int:
    """The fewest new questions a day that bring in every unseen one by the day before the
    exam (today's allowance is what is left of it after today's new questions)."""
    n = 0
    while n < MAX_NEW and max(0, n - deck.introduced_today) + n * (deck.days - 1) < deck.unseen:
        n += 1
    return n

# --- the plan --------------------------------------------------------------------------------

@dataclass(frozen=True)
class RetentionTrial:
    """One candidate retention of the search: its predicted score and answers in all."""

    retention: float
    score: float
    answers: float


@dataclass(frozen=True)
class Plan:
    """The current settings' outcome beside the recommended ones'."""

    exam_date: date
    today: date
    days: int  # days of study left: today to the day before the exam
    questions: int  # in the bank
    unseen: int  # not seen yet (suspended ones left out)
    needed_new_per_day: int
    current: Outcome
    recommended: Outcome
    trials: list[RetentionTrial] = field(default_factory=list)
    pass_mark: float = KCSA.pass_mark
    runs: int = RUNS
    seed: int = 0
    # The stats page's prediction: the exam-morning score if no question is answered again
    if_stopped: float | None = None
    # The learner as simulated, from their history: right the first time, Hard and Easy
    # among right answers, a day without study
    first_right: float = 0.5
    hard: float = 0.0
    easy: float = 0.0
    days_off: float = 0.0

    @property
    def dates(self) -> list[date]:
        """The study days, today first."""
        return [self.today + timedelta(days=d) for d in range(self.days)]

    def headline(self, outcome: Outcome) -> str:
        """E.g. "20 new a day → 82% ± 5 on Tue 15 Dec"."""
        score = outcome.score
        spread = round(50 * (score.high - score.low))
        return (f"{outcome.new_per_day} new a day, retention {outcome.retention:.2f} → "
                f"{100 * score.mean:.0f}% ± {spread} on {self.exam_date:%a %d %b}")

    def lines(self) -> list[str]:
        """The plan in a few sentences (``quiz plan`` prints them)."""
        current, best = self.current, self.recommended
        days = f"{self.days} day{'s' * (self.days != 1)}"
        out = [f"Exam on {self.exam_date:%a %d %b %Y}: {days} of study left (today included); "
               f"{self.unseen} of {self.questions} questions not seen yet.",
               f"Now:         {self.headline(current)}"
               + (f" ({current.unseen_at_exam} never seen by then)"
                  if current.unseen_at_exam else ""),
               f"Recommended: {self.headline(best)}"
               + (f" ({best.unseen_at_exam} never seen by then)" if best.unseen_at_exam else "")]
        if self.unseen:
            out.append(f"{self.needed_new_per_day} new a day sees every question by "
                       f"{self.exam_date - timedelta(days=1):%a %d %b}.")
        peak = max(best.answers_per_day, key=lambda b: b.mean)
        out.append(f"Recommended: about {best.answers / self.days:.0f} answers a day "
                   f"(busiest day ~{peak.mean:.0f}), {best.answers:.0f} in all; now "
                   f"{current.answers:.0f}.")
        if self.if_stopped is not None:
            out.append(f"If you stopped studying today: {100 * self.if_stopped:.0f}% on the day "
                       "(the stats page's prediction).")
        out.append(f"Simulated as your history shows you: {100 * self.days_off:.0f}% of days "
                   f"without study, new questions right the first time "
                   f"{100 * self.first_right:.0f}% of the time, right answers graded Hard "
                   f"{100 * self.hard:.0f}% and Easy {100 * self.easy:.0f}%.")
        out.append(f"Pass mark {100 * self.pass_mark:.0f}%. ± is half the 10th-90th "
                   f"percentile band of a simulated sitting ({self.runs} runs, seed {self.seed}).")
        return out

    def to_json(self) -> dict[str, object]:
        """The plan as plain data (``quiz plan --json``)."""
        def outcome(o: Outcome) -> dict[str, object]:
            return {"new_per_day": o.new_per_day, "desired_retention": o.retention,
                    "score": _band_json(o.score), "unseen_at_exam": o.unseen_at_exam,
                    "answers": round(o.answers, 1),
                    "per_topic": {t: _band_json(b) for t, b in o.per_topic.items()},
                    "per_day": [{"date": d.isoformat(), "answers": _band_json(b, 1), "new": n}
                                for d, b, n in zip(self.dates, o.answers_per_day,
                                                   o.new_on_day, strict=True)]}

        return {"exam_date": self.exam_date.isoformat(), "today": self.today.isoformat(),
                "days": self.days, "questions": self.questions, "unseen": self.unseen,
                "needed_new_per_day": self.needed_new_per_day, "pass_mark": self.pass_mark,
                "runs": self.runs, "seed": self.seed, "band": list(BAND),
                "if_stopped": None if self.if_stopped is None else round(self.if_stopped, 4),
                "learner": {"days_off": round(self.days_off, 4),
                            "first_right": round(self.first_right, 4),
                            "hard": round(self.hard, 4), "easy": round(self.easy, 4)},
                "current": outcome(self.current), "recommended": outcome(self.recommended),
                "retention_search": [{"desired_retention": t.retention,
                                      "score": round(t.score, 4),
                                      "answers": round(t.answers, 1)} for t in self.trials]}


def _band_json(b: Band, digits: int = 4) -> dict[str, float]:
    return {"mean": round(b.mean, digits), "low": round(b.low, digits),
            "high": round(b.high, digits)}


def recommend_retention(deck: Deck, scheduler: Scheduler, new_per_day: int, seed: int = 0,
                        runs: int = SEARCH_RUNS, progress: Callable[[], None] | None = None,
                        models: dict[float, Model] | None = None) -> list[RetentionTrial]:
    """Each candidate retention (``RETENTIONS`` and the scheduler's) simulated with the same
    random numbers; ``pick_retention`` chooses among them. ``models``: one per retention,
    kept between simulations (each remembers the paths it has walked)."""
    models = {} if models is None else models
    trials = []
    for retention in retention_candidates(scheduler):
        model = models.setdefault(retention, Model(scheduler, retention))
        outcome = simulate(deck, model, new_per_day, runs, seed)
        trials.append(RetentionTrial(retention, outcome.score.mean, outcome.answers))
        if progress is not None:
            progress()
    return trials


def retention_candidates(scheduler: Scheduler) -> list[float]:
    """The retentions the search tries."""
    return sorted({*RETENTIONS, scheduler.desired_retention})


def pick_retention(trials: list[RetentionTrial]) -> float:
    """The fewest answers among the retentions within ``SCORE_SLACK`` of the best score."""
    best = max(t.score for t in trials)
    good = [t for t in trials if t.score >= best - SCORE_SLACK]
    return min(good, key=lambda t: (t.answers, -t.retention)).retention


def make_plan(bank: Bank, store: Store, now: datetime, tz: tzinfo | None = None, *,
              seed: int = 0, runs: int = RUNS,
              progress: Callable[[float], None] | None = None) -> Plan:
    """The plan to the exam date under the user's scheduler; ``NoPlan`` without one.
    ``progress(share done)`` is called as the simulations finish (for a progress bar)."""
    start = read_start(bank, store, now, tz)
    return start.plan(seed=seed, runs=runs, progress=progress)


@dataclass(frozen=True)
class Start:
    """What a plan is computed from, read from the store (the rest touches no store, so it
    can run in a thread)."""

    deck: Deck
    today: date
    exam_date: date
    questions: int
    scheduler: Scheduler
    daily_new_limit: int
    if_stopped: float | None = None  # the stats page's exam-day prediction, from the store

    def plan(self, *, seed: int = 0, runs: int = RUNS,
             progress: Callable[[float], None] | None = None) -> Plan:
        """Simulate the current settings, the retention search and the recommended ones
        (``runs`` each, fewer for a deck too large for them: ``runs_for``)."""
        deck, scheduler = self.deck, self.scheduler
        runs = runs_for(deck, runs)
        steps = 2 + len(retention_candidates(scheduler))
        done = 0

        def step() -> None:
            nonlocal done
            done += 1
            if progress is not None:
                progress(min(1.0, done / steps))

        models = {scheduler.desired_retention: Model(scheduler)}
        current = simulate(deck, models[scheduler.desired_retention], self.daily_new_limit,
                           runs, seed)
        step()
        needed = needed_new_per_day(deck)
        new = max(needed, self.daily_new_limit)
        trials = recommend_retention(deck, scheduler, new, seed, min(runs, SEARCH_RUNS), step,
                                     models)
        retention = pick_retention(trials)
        if (new, retention) == (current.new_per_day, current.retention):
            recommended = current
        else:
            recommended = simulate(deck, models[retention], new, runs, seed)
        step()
        return Plan(self.exam_date, self.today, deck.days, self.questions, deck.unseen, needed,
                    current, recommended, trials, runs=runs, seed=seed,
                    if_stopped=self.if_stopped, first_right=deck.first_right, hard=deck.hard,
                    easy=deck.easy, days_off=deck.skip)


def runs_for(deck: Deck, runs: int) -> int:
    """``runs``, or fewer (at least ``MIN_RUNS``) so runs times cards stays in ``RUN_BUDGET``."""
    return min(runs, max(MIN_RUNS, RUN_BUDGET // max(1, len(deck.topic_of))))


def read_start(bank: Bank, store: Store, now: datetime, tz: tzinfo | None = None) -> Start:
    """Everything a plan needs from the store; ``NoPlan`` without an exam date."""
    deck, today, exam_date = read_deck(bank, store, now, tz)
    stopped = predicted_score(bank, store, max(utc(now), _day_start(exam_date, tz))).overall
    return Start(deck, today, exam_date, len(bank.questions), store.scheduler(),
                 store.settings().daily_new_limit, stopped)
