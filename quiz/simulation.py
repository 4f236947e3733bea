"""A Monte Carlo simulation of the days to the exam: the memory model and the runs.

From today to the day before the exam, each simulated learner does every review that falls
due, each answered right with the model's retrievability (the fsrs forgetting curve of the
user's own scheduler: its parameters, fitted or the defaults, its desired retention and
maximum interval), brings in N new questions a day in the order a review takes them, and
goes through a question's same-day learning steps as a session does (right then: a step
minutes later has retrievability 1). A right answer is graded Hard or Easy as often as the
learner grades theirs (``Deck.hard``, ``Deck.easy``; the rest Good), with fsrs's Hard penalty
and Easy bonus and its learning steps for each grade. Intervals of 3 days or more get fsrs's
fuzz when the user's scheduler fuzzes (the app's does), drawn from the run's random numbers.
Each day is skipped with the learner's chance of a day off (``Deck.skip``): nothing is
answered, due reviews wait for the next day studied and that day's new questions are not
brought in (the daily new limit does not carry over). A review falling after the day before
the exam is brought forward as ``readiness.apply_exam_date_cap`` does at each start (spread
evenly, as late as it allows). A new question is answered right the first time with
``Deck.first_right``. The cards do not compete for time: the app has no daily review limit
(only the new-question one), so neither has the simulation. Every run of a seed draws the
same random numbers.

A question's mastery on the exam morning is its retrievability then (never seen: 0), a
topic's the mean over its questions, the overall score the topics weighted as the exam
weighs them (``readiness.predicted_score``'s definitions). Each figure is the mean over the
runs with a band from the 10th to the 90th percentile: for a topic, of its mastery; overall,
of a simulated sitting (a KCSA paper drawn as ``draw_exam`` apportions it, each question
right with its retrievability), so that band includes the luck of the draw.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from fsrs import Rating, State
from fsrs.scheduler import FUZZ_RANGES as _FSRS_FUZZ_RANGES

from quiz.exam import KCSA, apportion
from quiz.readiness import spread_offsets

if TYPE_CHECKING:
    from fsrs import Scheduler

RUNS = 200
BAND = (0.10, 0.90)

LEARNING, REVIEW, RELEARNING = int(State.Learning), int(State.Review), int(State.Relearning)
AGAIN, HARD, GOOD, EASY = (int(r) for r in (Rating.Again, Rating.Hard, Rating.Good, Rating.Easy))
# fsrs's fuzz (``fsrs.scheduler.FUZZ_RANGES``): (from, to, share of the days in that range)
FUZZ_RANGES = tuple((r["start"], r["end"], r["factor"]) for r in _FSRS_FUZZ_RANGES)


# --- the memory model ------------------------------------------------------------------------

class Model:
    """The scheduler's fsrs formulas on plain numbers, in whole days (what ``review_card``
    computes for each grade, learning steps taken the same day; its fuzz in ``fuzzed``); tests
    check they agree."""

    def __init__(self, scheduler: Scheduler, desired_retention: float | None = None) -> None:
        self.w = w = tuple(float(x) for x in scheduler.parameters)
        self.decay = -w[20]
        self.factor = 0.9 ** (1 / self.decay) - 1
        self.retention = scheduler.desired_retention if desired_retention is None \
            else desired_retention
        self.maximum_interval = scheduler.maximum_interval
        self.learning_steps = len(scheduler.learning_steps)
        self.relearning_steps = len(scheduler.relearning_steps)
        self.fuzz = scheduler.enable_fuzzing  # intervals of 3 days or more drawn around fsrs's
        # fsrs's formulas' constants, by grade where they depend on it (the hot path)
        grades = (AGAIN, HARD, GOOD, EASY)
        self._first = {g: (max(w[g - 1], 0.001),
                           min(max(w[4] - math.exp(w[5] * (g - 1)) + 1, 1.0), 10.0))
                       for g in grades}
        self._same_day = {g: math.exp(w[17] * (g - 3 + w[18])) for g in grades}
        self._bonus = {HARD: w[15], GOOD: 1.0, EASY: w[16]}
        self._shift = {g: -(w[6] * (g - 3)) / 9.0 for g in grades}
        self._recall_gain = math.exp(w[8])
        self._lapse_floor = math.exp(w[17] * w[18])
        self._reverted = w[7] * (w[4] - math.exp(w[5] * 3) + 1)  # towards Easy's first d
        self._days_per_stability = (self.retention ** (1 / self.decay) - 1) / self.factor
        self._cache: dict[tuple[float | None, float, int, int, int, int], tuple] = {}
        self._fuzz_ranges: dict[int, tuple[int, int]] = {}

    def recall(self, elapsed_days: int, stability: float) -> float:
        """Retrievability after ``elapsed_days`` whole days."""
        return (1 + self.factor * elapsed_days / stability) ** self.decay

    def interval(self, stability: float) -> int:
        """Days to the next review (fsrs's rounding and bounds)."""
        return min(max(round(stability * self._days_per_stability), 1), self.maximum_interval)

    def fuzzed(self, days: int, draw: float) -> int:
        """An interval of ``days`` with fsrs's fuzz (``Scheduler._get_fuzzed_interval``),
        ``draw`` being its uniform random number; under 3 days, unchanged."""
        if days < 3:
            return days
        low, span = self._fuzz_ranges.get(days) or self.fuzz_range(days)
        return min(round(draw * span + low), self.maximum_interval)

    def fuzz_range(self, days: int) -> tuple[int, int]:
        """The shortest interval fsrs's fuzz makes of ``days`` (3 or more) and how many it
        chooses from (kept)."""
        delta = 1.0 + sum(factor * max(min(float(days), end) - start, 0.0)
                          for start, end, factor in FUZZ_RANGES)
        high = min(round(days + delta), self.maximum_interval)
        low = min(max(2, round(days - delta)), high)
        out = self._fuzz_ranges[days] = (low, high - low + 1)
        return out

    def review(self, stability: float | None, difficulty: float, state: int, step: int,
               elapsed: int, rating: int) -> tuple[float, float, int, int, int]:
        """(stability, difficulty, state, step, days to the next answer; 0: later today)
        after an answer rated ``rating`` (1 Again, 2 Hard, 3 Good, 4 Easy)."""
        return self._review(stability, difficulty, state, step, elapsed, rating)

    def after(self, stability: float | None, difficulty: float, state: int, step: int,
              elapsed: int, rating: int) -> tuple[float, float, int, int, int, int]:
        """Where an answer leads: (stability, difficulty, state, step, days to the next
        answer, answers given), the same-day learning steps after it taken (answered Good: a
        step minutes later has retrievability 1). Kept, as most simulated learners walk the
        same paths."""
        key = (stability, difficulty, state, step, elapsed, rating)
        out = self._cache.get(key)
        if out is None:
            out = self._cache[key] = self._settle(self._review(*key))
        return out

    def _settle(self, after: tuple[float, float, int, int, int]
                ) -> tuple[float, float, int, int, int, int]:
        answers = 1
        while not after[4] and answers <= 2 + max(self.learning_steps, self.relearning_steps):
            after = self._review(*after[:4], 0, GOOD)
            answers += 1
        return (*after, answers)

    def _review(self, s: float | None, d: float, state: int, step: int, elapsed: int,
                rating: int) -> tuple[float, float, int, int, int]:
        w, right = self.w, rating > AGAIN
        if s is None:
            s, d = self._first[rating]
        else:
            if elapsed < 1:
                grow = self._same_day[rating] * s ** -w[19]
                s = max(s * (max(grow, 1.0) if right else grow), 0.001)
            else:
                r = (1 + self.factor * elapsed / s) ** self.decay
                if right:
                    s = max(s * (1 + self._recall_gain * (11 - d) * s ** -w[9]
                                 * (math.exp((1 - r) * w[10]) - 1) * self._bonus[rating]),
                            0.001)
                else:
                    s = max(min(w[11] * d ** -w[12] * ((s + 1) ** w[13] - 1)
                                * math.exp((1 - r) * w[14]), s / self._lapse_floor), 0.001)
            damped = d + (10.0 - d) * self._shift[rating]
            d = min(max(self._reverted + (1 - w[7]) * damped, 1.0), 10.0)
        if state == REVIEW:
            if right or not self.relearning_steps:
                return s, d, REVIEW, 0, min(max(round(s * self._days_per_stability), 1),
                                            self.maximum_interval)
            return s, d, RELEARNING, 0, 0
        steps = self.learning_steps if state == LEARNING else self.relearning_steps
        if not steps or (step >= steps and right) or rating == EASY or \
                (rating == GOOD and step + 1 == steps):
            return s, d, REVIEW, 0, min(max(round(s * self._days_per_stability), 1),
                                        self.maximum_interval)
        # Again: back to the first step; Hard: the same step again; Good: the next one.
        return s, d, state, (0 if not right else step if rating == HARD else step + 1), 0

# --- the starting point ----------------------------------------------------------------------

@dataclass
class Deck:
    """The questions as the simulation starts from them, days counted from today (day 0)."""

    days: int  # today to the day before the exam, both included
    exam_at: float  # the exam morning, in days from now
    topics: list[str] = field(default_factory=list)  # topic ids
    weights: list[float] = field(default_factory=list)  # each topic's weight on the paper
    introduced_today: int = 0  # new questions already brought in today
    first_right: float = 0.5  # the chance a question seen for the first time is answered right
    hard: float = 0.0  # the share of right answers the learner rates Hard ("I guessed")
    easy: float = 0.0  # and Easy ("instantly"); the rest Good
    skip: float = 0.0  # the chance the learner does not study on a day
    topic_of: list[int] = field(default_factory=list)  # per card, its topic's index
    stability: list[float | None] = field(default_factory=list)  # None: never answered
    difficulty: list[float] = field(default_factory=list)
    state: list[int] = field(default_factory=list)  # fsrs State values
    step: list[int] = field(default_factory=list)
    last: list[float | None] = field(default_factory=list)  # last answer, days from now (<= 0)
    due_day: list[int | None] = field(default_factory=list)  # None: not due before the exam
    fresh: list[int] = field(default_factory=list)  # unseen cards, in the order they come in

    @property
    def unseen(self) -> int:
        """Questions to bring in (suspended ones left out)."""
        return len(self.fresh)

    def add(self, topic: int, stability: float | None = None, difficulty: float = 0.0,
            state: int = LEARNING, step: int = 0, last: float | None = None,
            due_day: int | None = None) -> int:
        """Add a card (by default one never answered and never due); return its index."""
        self.topic_of.append(topic)
        self.stability.append(stability)
        self.difficulty.append(difficulty)
        self.state.append(state)
        self.step.append(step)
        self.last.append(last)
        self.due_day.append(due_day)
        return len(self.topic_of) - 1

    def add_fresh(self, topic: int) -> int:
        """Add a question not seen yet, brought in after the ones added before it."""
        n = self.add(topic)
        self.fresh.append(n)
        return n


# --- the simulation --------------------------------------------------------------------------

@dataclass(frozen=True)
class Band:
    """A figure's mean over the runs and its 10th-90th percentile band."""

    mean: float
    low: float
    high: float


def _quantile(ordered: list[float], q: float) -> float:
    position = q * (len(ordered) - 1)
    below = math.floor(position)
    above = min(below + 1, len(ordered) - 1)
    return ordered[below] + (ordered[above] - ordered[below]) * (position - below)


def band(values: list[float]) -> Band:
    """Mean and the ``BAND`` percentiles (linear between ranks) of ``values``."""
    ordered = sorted(values)
    return Band(sum(ordered) / len(ordered), _quantile(ordered, BAND[0]),
                _quantile(ordered, BAND[1]))


@dataclass(frozen=True)
class Outcome:
    """What one choice of settings leads to by the exam morning."""

    new_per_day: int
    retention: float
    answers_per_day: list[Band]  # from today to the day before the exam
    new_on_day: list[int]  # new questions brought in each day studied
    unseen_at_exam: int  # questions still never seen on the exam morning (mean over the runs)
    score: Band  # mean: expected share right; band: a simulated sitting's
    per_topic: dict[str, Band]  # each topic's mastery on the exam morning

    @property
    def answers(self) -> float:
        """Answers in all, on average."""
        return sum(b.mean for b in self.answers_per_day)


def simulate(deck: Deck, model: Model, new_per_day: int, runs: int = RUNS,
             seed: int = 0) -> Outcome:
    """``runs`` simulated learners from ``deck`` to the exam morning (see the module)."""
    rng = random.Random(seed)
    paper = _paper(deck)
    per_day: list[list[float]] = [[] for _ in range(deck.days)]
    topic_runs: list[list[float]] = [[] for _ in deck.topics]
    expected, sittings, unseen = [], [], 0
    new_on_day = _new_on_day(deck, new_per_day)
    for _ in range(runs):
        answers, stability, last = _run(deck, model, new_on_day, rng)
        unseen += sum(s is None for s in stability)
        exam = deck.exam_at
        recall = [0.0 if s is None or t is None else model.recall(max(0, math.floor(exam - t)), s)
                  for s, t in zip(stability, last, strict=True)]
        for day, count in enumerate(answers):
            per_day[day].append(count)
        mastery = _topic_means(deck, recall)
        for t, m in enumerate(mastery):
            topic_runs[t].append(m)
        total = sum(deck.weights[t] for t in range(len(mastery)))
        expected.append(sum(m * deck.weights[t] for t, m in enumerate(mastery)) / total)
        sittings.append(_sitting(paper, recall, rng))
    sitting = band(sittings)
    never = sum(s is None for s in deck.stability) - deck.unseen  # suspended, never seen
    return Outcome(new_per_day, model.retention, [band(day) for day in per_day], new_on_day,
                   round(unseen / runs) - never,
                   Band(sum(expected) / runs, sitting.low, sitting.high),
                   {t: band(topic_runs[i]) for i, t in enumerate(deck.topics)})


def _new_on_day(deck: Deck, new_per_day: int) -> list[int]:
    out, left = [], deck.unseen
    for day in range(deck.days):
        n = min(left, max(0, new_per_day - deck.introduced_today) if day == 0 else new_per_day)
        out.append(n)
        left -= n
    return out


def _run(deck: Deck, model: Model, new_on_day: list[int],
         rng: random.Random) -> tuple[list[int], list[float | None], list[float | None]]:
    """One simulated learner: answers per day, and each card's stability and last answer."""
    days, chance = deck.days, rng.random
    stability, difficulty = list(deck.stability), list(deck.difficulty)
    state, step, last = list(deck.state), list(deck.step), list(deck.last)
    buckets: list[list[int]] = [[] for _ in range(days)]
    for n, due in enumerate(deck.due_day):
        if due is not None:
            buckets[due].append(n)
    answers = [0] * days
    late: list[tuple[int, int]] = []
    fresh = iter(deck.fresh)
    cache, after, first = model._cache, model.after, deck.first_right
    factor, decay = model.factor, model.decay
    fuzz, ranges, longest = model.fuzz, model._fuzz_ranges, model.maximum_interval
    hard, graded, skip = deck.hard, deck.hard + deck.easy, deck.skip
    for day in range(days):
        if skip and chance() < skip:  # a day off: what was due waits for the next day
            if day + 1 < days:
                buckets[day + 1].extend(buckets[day])
            continue
        if late:  # brought forward at the next start, as the exam-date cap does
            late.sort()
            for (_, n), offset in zip(late, spread_offsets(len(late), days - day), strict=True):
                buckets[day + offset].append(n)
            late = []
        todo = buckets[day]
        todo.extend(next(fresh) for _ in range(new_on_day[day]))
        count = 0
        for n in todo:
            s, t = stability[n], last[n]
            elapsed = 0 if t is None else int(day - t)
            p = first if s is None else (1 + factor * elapsed / s) ** decay
            draw = chance()
            # Right with chance p; then (draw / p is uniform again) Hard, Easy or Good.
            rating = AGAIN if draw >= p else GOOD if not graded or draw >= p * graded else \
                HARD if draw < p * hard else EASY
            key = (s, difficulty[n], state[n], step[n], elapsed, rating)
            stability[n], difficulty[n], state[n], step[n], wait, given = \
                cache.get(key) or after(*key)
            if fuzz and wait > 2 and state[n] == REVIEW:  # model.fuzzed, inlined
                low, span = ranges.get(wait) or model.fuzz_range(wait)
                wait = min(round(chance() * span + low), longest)
            last[n] = day
            count += given
            if day + wait < days:
                buckets[day + wait].append(n)
            else:
                late.append((day + wait, n))
        answers[day] = count
    return answers, stability, last


def _topic_means(deck: Deck, recall: list[float]) -> list[float]:
    sums, counts = [0.0] * len(deck.topics), [0] * len(deck.topics)
    for topic, r in zip(deck.topic_of, recall, strict=True):
        sums[topic] += r
        counts[topic] += 1
    return [s / c if c else 0.0 for s, c in zip(sums, counts, strict=True)]


def _paper(deck: Deck) -> list[tuple[list[int], int]]:
    """Each topic's cards and how many of them a KCSA paper draws (as ``draw_exam``)."""
    pools: list[list[int]] = [[] for _ in deck.topics]
    for n, topic in enumerate(deck.topic_of):
        pools[topic].append(n)
    counts = apportion({str(t): deck.weights[t] for t in range(len(pools))}, KCSA.questions,
                       {str(t): len(p) for t, p in enumerate(pools)})
    return [(pool, counts[str(t)]) for t, pool in enumerate(pools) if counts[str(t)]]


def _sitting(paper: list[tuple[list[int], int]], recall: list[float],
             rng: random.Random) -> float:
    right = asked = 0
    for pool, count in paper:
        for n in rng.sample(pool, count):
            right += rng.random() < recall[n]
        asked += count
    return right / asked if asked else 0.0
