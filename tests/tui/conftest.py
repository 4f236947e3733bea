"""Fixtures for the TUI tests: the TUI bank (the clock and the store are tests/conftest.py's), a
factory for the app built exactly as the CLI builds it (``make_app``), with a seeded shuffle."""

from __future__ import annotations

import random
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from quiz.bank import Bank, load_bank
from quiz.session import Showing
from quiz.store import Store
from quiz.tui.app import QuizApp, make_app
from tests.conftest import Clock

TUI_BANK = Path(__file__).parent.parent / "data" / "banks" / "tui"
SIZE = (100, 30)


@pytest.fixture(autouse=True)
def _utc_local_time(utc_local_time: None) -> None:
    """'Today' and due counts follow the local day: pin it so snapshots do not drift."""


@pytest.fixture
def bank() -> Bank:
    return load_bank([TUI_BANK])


AppFactory = Callable[..., QuizApp]


@pytest.fixture
def make(bank: Bank, store: Store, clock: Clock) -> AppFactory:
    """``make(start="review")`` → the app on the TUI bank, the temp store, the frozen clock."""

    def build(start: str = "home", **options: object) -> QuizApp:
        return make_app(bank, store, now=clock, rng=random.Random(7), start=start,
                        **options)  # type: ignore[arg-type]

    return build


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[QuizApp]:
    """Apps that would have taken over the terminal (``run`` replaced by a recorder)."""
    apps: list[QuizApp] = []
    monkeypatch.setattr(QuizApp, "run", lambda self, *a, **k: apps.append(self))
    return apps


def screen_text(app: QuizApp) -> str:
    """What the terminal shows now, as plain lines."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def keys_for(showing: Showing, right: bool = True) -> list[str]:
    """The number keys that pick the right choices (or, right=False, one wrong choice)."""
    numbers = [str(n) for n, c in enumerate(showing.choices, 1) if c.correct == right]
    return numbers if right else numbers[:1]


def editable_practice(store: Store, clock: Clock, tmp_path: Path) -> QuizApp:
    """A practice session (network-policies, a fixed order) on a copy of the TUI bank in
    ``tmp_path / "base"``, which the app's edits write to."""
    base = tmp_path / "base"
    shutil.copytree(TUI_BANK, base)
    return make_app(load_bank([base]), store, now=clock, rng=random.Random(7),
                    start="practice", topic="network-policies", bank_paths=[base])
