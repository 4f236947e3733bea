"""FSRS parameters fitted to the user's own answers, by fsrs-rs (the engine Anki runs).

The answers are those that feed the schedule (``scheduling.scheduled_histories``: review
answers and the exam answers fed to it, with their stored ratings, regrades included, undone
ones gone, since each card's last reset). They become the engine's items as Anki builds them
from its review log: for each card, one item per answer after the first, holding the card's
answers up to that one, each with the days between its local day and the previous answer's
(0 for a same-day step, which the engine's short-term model reads); items whose last answer
comes on the same day as the one before are left out of training, and all are taken in the
order they were answered.

The current and the fitted parameters are compared as Anki evaluates, on a time-series split:
the items cut into six parts in time order, and for each of the five later parts the
parameters fitted on everything before it against the current ones, on that part (log loss
and RMSE over bins, each part weighted by its size). The fitted parameters (on every item) are
kept only if they predict better, then saved with a record of the fit and every card
rescheduled with them, in one transaction.

fsrs-rs is imported on the first call, never at start-up.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any, Protocol

from quiz.cards import check_parameters, make_scheduler
from quiz.scheduling import rebuild_cards, replay, scheduled_histories
from quiz.store import FsrsFit

if TYPE_CHECKING:
    from fsrs import Rating

    from quiz.store import CardRecord, ReviewEntry, ScheduledAnswer, Store

    Read = tuple[dict[str, CardRecord], dict[str, list[ReviewEntry | ScheduledAnswer]]]

SPLITS = 5  # time-series splits, as fsrs-rs's evaluate_with_time_series_splits
# The engine fits every parameter from 64 training items (fewer: the first four only, or
# none), and the first split trains on a sixth of the items: 6 x 64 is about 400, the count
# Anki's compute_params leaves its caller to require.
MINIMUM_ITEMS = 400

Progress = Callable[[str, float], None]  # (what is being done, fraction done 0..1)


class OptimizeError(Exception):
    """Optimising could not be done (the message says why)."""


class NotEnoughHistory(OptimizeError):
    """Too few answers to fit parameters from."""


@dataclass(frozen=True)
class Evaluation:
    """How well parameters predict answers: log loss and RMSE over bins (lower is better)."""

    log_loss: float
    rmse_bins: float


@dataclass(frozen=True)
class Items:
    """The engine's items built from a history, oldest last answer first."""

    items: list[Any]  # fsrs_rs_python.FSRSItem
    reviews: int  # answers of the cards that gave items (what the fit learned from)
    sources: list[tuple[list[tuple[int, int]], int]]  # each item's card's steps, how many

    @property
    def steps(self) -> list[tuple[tuple[int, int], ...]]:
        """Each item's (rating, days since the answer before) pairs."""
        return [tuple(card[:count]) for card, count in self.sources]


@dataclass(frozen=True)
class Outcome:
    """What ``optimize`` did."""

    reviews: int
    items: int
    current: tuple[float, ...]
    fitted: tuple[float, ...]
    before: Evaluation  # the current parameters, on the time-series splits
    after: Evaluation  # parameters fitted before each split, on it
    saved: bool
    reason: str  # why the fitted parameters were kept, or why not
    rescheduled: int = 0  # cards whose schedule changed


class Answered(Protocol):
    """What an answer must have to become part of an item (``ScheduledAnswer``,
    ``ReviewEntry``, ``synthetic.Answer``)."""

    @property
    def answered_at(self) -> datetime: ...

    @property
    def rating(self) -> Rating | int: ...


def build_items(histories: Iterable[Sequence[Answered]], tz: tzinfo | None = None) -> Items:
    """Each card's answers (oldest first) as the engine's training items."""
    from fsrs_rs_python import FSRSItem, FSRSReview

    dated: list[tuple[datetime, int, int, list[tuple[int, int]], list[Any]]] = []
    reviews = 0
    for index, history in enumerate(histories):
        if len(history) < 2:
            continue
        days = [_local_day(a.answered_at, tz) for a in history]
        steps = [(int(a.rating), day - before) for a, day, before
                 in zip(history, days, days[:1] + days[:-1], strict=True)]
        engine = [FSRSReview(rating, delta) for rating, delta in steps]
        made = [(history[i].answered_at, index, i + 1, steps, engine)
                for i in range(1, len(history)) if steps[i][1] > 0]
        if made:
            dated += made
            reviews += len(history)
    dated.sort(key=lambda d: (d[0], d[1]))
    return Items([FSRSItem(e[:n]) for _, _, n, _, e in dated], reviews,
                 [(s, n) for _, _, n, s, _ in dated])


def _local_day(at: datetime, tz: tzinfo | None) -> int:
    return (at.astimezone(tz) if tz is not None else at.astimezone()).date().toordinal()


def store_items(store: Store, tz: tzinfo | None = None,
                read: Read | None = None) -> Items:
    """The store's scheduled answers as the engine's items (``read``: as already read)."""
    _, histories = read or _read(store)
    return build_items(histories.values(), tz)


def _read(store: Store) -> Read:
    # The cards first, then their answers: what ``rebuild_cards`` needs to notice a card
    # another copy answers in between (its card will have moved since it was read).
    cards = store.cards()
    return cards, scheduled_histories(store, cards)


def evaluate(parameters: Sequence[float], items: Sequence[Any]) -> Evaluation:
    """How well ``parameters`` predict ``items`` (in-sample)."""
    from fsrs_rs_python import FSRS

    try:
        found = FSRS(list(parameters)).evaluate(list(items))
    except ValueError as error:  # the engine's refusals (InvalidParameters, InvalidInput...)
        raise OptimizeError(f"the fsrs-rs engine could not evaluate: {error}") from None
    return Evaluation(found.log_loss, found.rmse_bins)


def fit(items: Sequence[Any]) -> tuple[float, ...]:
    """Parameters fitted to ``items`` by the engine (short-term model on, as Anki)."""
    from fsrs_rs_python import FSRS

    try:
        fitted = FSRS(list(_defaults())).compute_parameters(list(items),
                                                             enable_short_term=True)
        return check_parameters([_round(v) for v in fitted])
    except ValueError as error:
        raise OptimizeError(f"the fsrs-rs engine could not fit: {error}") from None


def _round(value: float) -> float:
    return float(f"{value:.4f}")


def _defaults() -> tuple[float, ...]:
    from fsrs.scheduler import DEFAULT_PARAMETERS

    return tuple(DEFAULT_PARAMETERS)


def split_costs(count: int) -> list[int]:
    """Each split's share of the evaluation: its training size."""
    segment = count // (SPLITS + 1)
    return [(i + 1) * segment for i in range(SPLITS)]


def evaluate_splits(current: Sequence[float], items: Sequence[Any],
                    progress: Progress | None = None) -> tuple[Evaluation, Evaluation]:
    """The current parameters and the fitting, judged on the time-series splits: (the current
    parameters' figures, the figures of parameters fitted on each split's past).
    ``progress`` hears before each split and at the end."""
    tell = progress or (lambda _what, _done: None)
    costs = split_costs(len(items))
    total, done = sum(costs), 0
    segment = len(items) // (SPLITS + 1)
    weights: list[int] = []
    before: list[Evaluation] = []
    after: list[Evaluation] = []
    for i in range(SPLITS):
        tell(f"Evaluating on part {i + 1} of {SPLITS}", done / total)
        start = (i + 1) * segment
        test = items[start:(i + 2) * segment if i < SPLITS - 1 else len(items)]
        trained = fit(items[:start])
        before.append(evaluate(current, test))
        after.append(evaluate(trained, test))
        weights.append(len(test))
        done += costs[i]
    tell("Evaluated", 1.0)
    return _weighted(before, weights), _weighted(after, weights)


def _weighted(found: list[Evaluation], weights: list[int]) -> Evaluation:
    total = sum(weights)
    return Evaluation(sum(e.log_loss * w for e, w in zip(found, weights, strict=True)) / total,
                      math.sqrt(sum(e.rmse_bins ** 2 * w
                                    for e, w in zip(found, weights, strict=True)) / total))


def judge(current: Sequence[float], fitted: Sequence[float], before: Evaluation,
          after: Evaluation, items: Sequence[Any]) -> tuple[bool, str]:
    """Whether to keep the fitted parameters, and why (or why not)."""
    if tuple(fitted) == tuple(current):
        return False, "the fit gave the parameters you already have"
    if not after.log_loss < before.log_loss:
        return False, (f"they predicted your answers no better (log loss {after.log_loss:.4f} "
                       f"against {before.log_loss:.4f} now)")
    # Anki's own check as well: on every answer, the new ones must not be further off.
    now, new = evaluate(current, items), evaluate(fitted, items)
    if not new.rmse_bins < now.rmse_bins:
        return False, (f"on all your answers they were further off (RMSE {new.rmse_bins:.4f} "
                       f"against {now.rmse_bins:.4f} now)")
    return True, "they predict your answers better"


def optimize(store: Store, *, progress: Progress | None = None,
             tz: tzinfo | None = None) -> Outcome:
    """Fit the user's parameters; keep and reschedule with them if they predict better.

    NotEnoughHistory below ``MINIMUM_ITEMS`` items, OptimizeError if the engine fails. The engine
    runs without the GIL: the time-series evaluation goes on in a thread while this one
    works out the new schedule, which is saved only if the evaluation says so.
    """
    tell = progress or (lambda _what, _done: None)
    tell("Reading your answers", 0.0)
    read = _read(store)
    built = store_items(store, tz, read)
    if len(built.items) < MINIMUM_ITEMS:
        raise NotEnoughHistory(
            f"too little history to optimise: {len(built.items)} reviews a day or more after "
            f"the question's previous answer, {MINIMUM_ITEMS} needed")
    settings = store.settings()
    current = settings.fsrs_parameters or _defaults()
    # Shares of the time: reading 20%, the fit 15%, the evaluation (with the new schedule
    # worked out beside it) 60%, saving 5%.
    tell("Fitting on every answer", 0.2)
    fitted = fit(built.items)
    with ThreadPoolExecutor(1, thread_name_prefix="quiz-optimize") as pool:
        judging = pool.submit(evaluate_splits, current, built.items,
                              lambda what, done: tell(what, 0.35 + 0.6 * done))
        scheduler = make_scheduler(settings.desired_retention,
                                   maximum_interval=settings.maximum_interval,
                                   enable_fuzzing=store.scheduler().enable_fuzzing,
                                   parameters=fitted)
        rebuilt = replay(scheduler, *read, settings.leech_threshold) \
            if fitted != tuple(current) else []
        before, after = judging.result()
    keep, reason = judge(current, fitted, before, after, built.items)
    outcome = Outcome(built.reviews, len(built.items), tuple(current), fitted, before, after,
                      keep, reason)
    if not keep:
        tell("Done", 1.0)
        return outcome
    tell("Saving the new parameters and schedule", 0.95)
    record = FsrsFit(store.now(), built.reviews, before.log_loss, after.log_loss,
                     before.rmse_bins, after.rmse_bins)
    # The parameters and the cards rescheduled with them: one transaction.
    changed = rebuild_cards(store, scheduler, read=read, replayed=rebuilt,
                            settings={"fsrs_parameters": fitted, "fsrs_fit": record})
    tell("Done", 1.0)
    return replace(outcome, rescheduled=changed)


def reset(store: Store) -> int:
    """Back to fsrs's default parameters; every card rescheduled, in the same transaction. How
    many changed."""
    settings = store.settings()
    scheduler = make_scheduler(settings.desired_retention,
                               maximum_interval=settings.maximum_interval,
                               enable_fuzzing=store.scheduler().enable_fuzzing)
    return rebuild_cards(store, scheduler, settings={"fsrs_parameters": None, "fsrs_fit": None})


# --- reporting -------------------------------------------------------------------------------

def outcome_to_dict(outcome: Outcome) -> dict[str, Any]:
    """``quiz optimize --json``."""
    return {"reviews": outcome.reviews, "items": outcome.items,
            "before": outcome.before.__dict__, "after": outcome.after.__dict__,
            "saved": outcome.saved, "reason": outcome.reason,
            "rescheduled": outcome.rescheduled, "current_parameters": list(outcome.current),
            "fitted_parameters": list(outcome.fitted)}


def figures_table(before: Evaluation, after: Evaluation) -> list[str]:
    """The before/after figures as aligned lines (the CLI and the settings screen)."""
    return ["              log loss   RMSE (bins)",
            f"  current      {before.log_loss:8.4f}   {before.rmse_bins:10.2%}",
            f"  fitted       {after.log_loss:8.4f}   {after.rmse_bins:10.2%}"]


def verdict(outcome: Outcome) -> str:
    """One line: what was saved, or why nothing was."""
    if outcome.saved:
        return (f"Saved the fitted parameters; {outcome.rescheduled} cards rescheduled "
                f"with them.")
    return f"Kept your current parameters because {outcome.reason}."


def format_outcome(outcome: Outcome) -> str:
    """``quiz optimize``'s text."""
    import textwrap

    shown = outcome.fitted if outcome.saved else outcome.current
    return "\n".join([
        f"Fitted on {outcome.reviews} answers ({outcome.items} training items).",
        "Checked on a time-series split of your history (lower is better):",
        *figures_table(outcome.before, outcome.after),
        *textwrap.wrap(verdict(outcome), 78),
        *textwrap.wrap("Parameters in use: " + ", ".join(f"{v:g}" for v in shown), 78)])
