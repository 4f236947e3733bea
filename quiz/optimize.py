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
rescheduled with them.

fsrs-rs is imported on the first call, never at start-up.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any

from quiz.cards import check_parameters
from quiz.clock import utc
from quiz.scheduling import rebuild_cards, scheduled_histories
from quiz.store import FsrsFit

if TYPE_CHECKING:
    from fsrs import Rating

    from quiz.store import Store

SPLITS = 5  # time-series splits, as fsrs-rs's evaluate_with_time_series_splits
# The engine fits every parameter from 64 training items (fewer: the first four only, or
# none); the first split trains on a sixth of the items: 6 x 64 is about 400, the count below
# which Anki warns that the history is too short as well.
MINIMUM_ITEMS = 400

Progress = Callable[[str, float], None]  # (what is being done, fraction done 0..1)


class NotEnoughHistory(ValueError):
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
    steps: list[tuple[tuple[int, int], ...]]  # each item's (rating, days since the last)


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


def build_items(histories: Iterable[Sequence[tuple[datetime, Rating | int]]],
                tz: tzinfo | None = None) -> Items:
    """Each card's answers (time, rating; oldest first) as the engine's training items."""
    from fsrs_rs_python import FSRSItem, FSRSReview

    dated: list[tuple[datetime, int, tuple[tuple[int, int], ...]]] = []
    reviews = 0
    for index, history in enumerate(histories):
        if len(history) < 2:
            continue
        days = [_local_day(at, tz) for at, _ in history]
        steps = [(int(history[0][1]), 0)]
        made = 0
        for i in range(1, len(history)):
            delta = days[i] - days[i - 1]
            steps.append((int(history[i][1]), delta))
            if delta > 0:
                dated.append((utc(history[i][0]), index, tuple(steps)))
                made += 1
        if made:
            reviews += len(history)
    dated.sort(key=lambda d: (d[0], d[1]))
    made_steps = [s for _, _, s in dated]
    return Items([FSRSItem([FSRSReview(r, d) for r, d in s]) for s in made_steps], reviews,
                 made_steps)


def _local_day(at: datetime, tz: tzinfo | None) -> int:
    return (at.astimezone(tz) if tz is not None else at.astimezone()).date().toordinal()


def store_items(store: Store, tz: tzinfo | None = None) -> Items:
    """The store's scheduled answers as the engine's items."""
    histories = scheduled_histories(store)
    return build_items(([(e.answered_at, e.rating) for e in entries]
                        for entries in histories.values()), tz)


def evaluate(parameters: Sequence[float], items: Sequence[Any]) -> Evaluation:
    """How well ``parameters`` predict ``items`` (in-sample)."""
    from fsrs_rs_python import FSRS

    found = FSRS(list(parameters)).evaluate(list(items))
    return Evaluation(found.log_loss, found.rmse_bins)


def fit(items: Sequence[Any]) -> tuple[float, ...]:
    """Parameters fitted to ``items`` by the engine (short-term model on, as Anki)."""
    from fsrs_rs_python import FSRS

    fitted = FSRS(list(_defaults())).compute_parameters(list(items), enable_short_term=True)
    return check_parameters([_round(v) for v in fitted])


def _round(value: float) -> float:
    return float(f"{value:.4f}")


def _defaults() -> tuple[float, ...]:
    from fsrs.scheduler import DEFAULT_PARAMETERS

    return tuple(DEFAULT_PARAMETERS)


def split_costs(count: int) -> list[int]:
    """Each step's share of the work: the splits' training sizes, then the full fit."""
    segment = count // (SPLITS + 1)
    return [(i + 1) * segment for i in range(SPLITS)] + [count]


def compare(current: Sequence[float], items: Sequence[Any],
            progress: Progress | None = None) -> tuple[tuple[float, ...], Evaluation, Evaluation]:
    """Fit on ``items`` and judge it: (fitted parameters, the current parameters' figures,
    the fitting's figures) on the time-series splits. ``progress`` hears before each step."""
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
    tell("Fitting on every answer", done / total)
    fitted = fit(items)
    tell("Fitted", 1.0)
    return fitted, _weighted(before, weights), _weighted(after, weights)


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


def optimize(store: Store, *, progress: Progress | None = None, tz: tzinfo | None = None,
             save: bool = True) -> Outcome:
    """Fit the user's parameters; keep and reschedule with them if they predict better.

    NotEnoughHistory below ``MINIMUM_ITEMS`` items; ``save`` False only reports.
    """
    tell = progress or (lambda _what, _done: None)
    tell("Reading your answers", 0.0)
    built = store_items(store, tz)
    if len(built.items) < MINIMUM_ITEMS:
        raise NotEnoughHistory(
            f"too little history to optimise: {len(built.items)} reviews a day or more after "
            f"the question's previous answer, {MINIMUM_ITEMS} needed")
    settings = store.settings()
    current = settings.fsrs_parameters or _defaults()
    fitted, before, after = compare(current, built.items, progress=lambda what, done: tell(
        what, 0.02 + 0.93 * done))
    keep, reason = judge(current, fitted, before, after, built.items)
    outcome = Outcome(built.reviews, len(built.items), tuple(current), fitted, before, after,
                      keep and save, reason)
    if not (keep and save):
        tell("Done", 1.0)
        return outcome
    tell("Rescheduling your cards", 0.96)
    record = FsrsFit(store.now(), built.reviews, before.log_loss, after.log_loss,
                     before.rmse_bins, after.rmse_bins)
    store.update_settings(fsrs_parameters=fitted, fsrs_fit=record)
    changed = rebuild_cards(store, store.scheduler())
    tell("Done", 1.0)
    return Outcome(**{**outcome.__dict__, "rescheduled": changed})


def reset(store: Store) -> int:
    """Back to fsrs's default parameters; every card rescheduled. How many changed."""
    store.update_settings(fsrs_parameters=None, fsrs_fit=None)
    return rebuild_cards(store, store.scheduler())


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
    return "\n".join([
        f"Fitted on {outcome.reviews} answers ({outcome.items} training items); checked on "
        f"a time-series split (lower is better):",
        *figures_table(outcome.before, outcome.after),
        verdict(outcome),
        "Parameters: " + ", ".join(f"{v:g}" for v in
                                   (outcome.fitted if outcome.saved else outcome.current))])
