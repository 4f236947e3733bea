"""The user's own bank, end to end as a new user meets it: a question added with
``quiz add --from`` is there on the next plain start, in browse and in a review; ``a`` adds to
the same bank."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from click.testing import CliRunner

from quiz import paths
from quiz.cli import Options, cli, load_bank_or_exit
from quiz.store import Store
from quiz.tui.app import make_app
from quiz.tui.screens.question import QuestionScreen
from quiz.tui.screens.question_form import QuestionFormScreen
from quiz.tui.screens.summary import SummaryScreen
from tests.bank.test_import import question
from tests.conftest import Clock
from tests.tui.conftest import SIZE, TUI_BANK, keys_for
from tests.tui.test_browse import open_browse, table_ids

NEW_ID = "my-proxy-presents-the-cert"


@pytest.fixture(autouse=True)
def _small_bundled_bank(monkeypatch: pytest.MonkeyPatch) -> None:
    """The TUI test bank plays the bundled bank, so a review holds a handful of questions."""
    monkeypatch.setattr(paths, "bundled_bank", lambda: TUI_BANK)


def add_from_the_command_line(tmp_path: Path) -> None:
    source = tmp_path / "q.yaml"
    source.write_text("topic: encryption\nquestions:\n" + question(NEW_ID))
    result = CliRunner().invoke(cli, ["add", "--from", str(source)])
    assert result.exit_code == 0, result.output
    assert str(paths.user_bank()) in result.output or "encryption.yaml" in result.output


async def test_a_question_added_from_a_file_is_in_browse_on_the_next_start(
        tmp_path: Path, store: Store, clock: Clock) -> None:
    add_from_the_command_line(tmp_path)
    bank = load_bank_or_exit(Options())  # what a plain `quiz` loads
    assert NEW_ID in bank.questions
    app = make_app(bank, store, now=clock, rng=random.Random(7))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_browse(pilot, app)
        assert NEW_ID in table_ids(screen)


async def test_a_question_added_from_a_file_comes_up_in_a_review(
        tmp_path: Path, store: Store, clock: Clock) -> None:
    add_from_the_command_line(tmp_path)
    app = make_app(load_bank_or_exit(Options()), store, now=clock, rng=random.Random(7),
                   start="review")
    asked = []
    async with app.run_test(size=SIZE) as pilot:
        while isinstance(app.screen, QuestionScreen):
            asked.append(app.screen.showing.question.id)
            await pilot.press(*keys_for(app.screen.showing), "enter")
            await pilot.pause()
            await pilot.press("enter")
            await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)
    assert NEW_ID in asked
    assert any(log.question_id == NEW_ID for log in store.logs())


async def test_add_on_the_home_screen_writes_to_the_user_bank(
        store: Store, clock: Clock) -> None:
    bank = load_bank_or_exit(Options())
    app = make_app(bank, store, now=clock, rng=random.Random(7))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, QuestionFormScreen)
        assert app.screen.bank_dir == paths.user_bank()
