"""The kcsa pool in the exam's set-up dialog and results; the practice tag filter on home and
in the palette; ``quiz exam --all`` and ``quiz practice --tag``."""

from __future__ import annotations

import random
import re
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from quiz.bank import Bank
from quiz.exam import ExamFormat
from quiz.paths import bundled_bank
from quiz.store import Store
from quiz.tui.app import QuizApp, make_app
from quiz.tui.screens.exam import ExamScreen
from quiz.tui.screens.exam_modals import ExamSetupModal
from quiz.tui.screens.exam_results import ExamResultsScreen
from quiz.tui.screens.home import HomeScreen
from quiz.tui.screens.question import QuestionScreen
from tests.conftest import Clock
from tests.tui.conftest import SIZE, TUI_BANK, screen_text
from tests.tui.test_tui_start import invoke

KCSA = {"np-deny-all-effect"}  # tagged kcsa below; the TUI bank's two others beyond-kcsa


@pytest.fixture
def tagged(bank: Bank) -> Bank:
    questions = {qid: replace(q, tags=[*q.tags, "kcsa" if qid in KCSA else "beyond-kcsa"])
                 for qid, q in bank.questions.items()}
    return replace(bank, questions=questions)


def build(bank: Bank, store: Store, clock: Clock, start: str = "home",
          **options: object) -> QuizApp:
    return make_app(bank, store, now=clock, rng=random.Random(7), start=start,
                    **options)  # type: ignore[arg-type]


def flat(app: QuizApp) -> str:
    return " ".join(re.sub("[█▌▐▀▄▏]", " ", screen_text(app)).split())


async def test_setup_dialog_offers_both_pools_with_their_counts(
        tagged: Bank, store: Store, clock: Clock) -> None:
    app = build(tagged, store, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, ExamSetupModal)
        text = flat(app)
        assert "KCSA questions only (1)" in text and "All questions (3)" in text
        assert app.screen.query_one("#pool-kcsa").value  # type: ignore[attr-defined]
        await pilot.press("enter")  # the default: kcsa only
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ExamScreen)
        assert [q.id for q in screen.run.questions] == ["np-deny-all-effect"]
        await pilot.press("1", "s")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(app.screen, ExamResultsScreen)
        assert "1 questions · KCSA questions only" in screen_text(app)


async def test_setup_dialog_switched_to_all_questions(tagged: Bank, store: Store,
                                                      clock: Clock) -> None:
    app = build(tagged, store, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("x")
        await pilot.pause()
        await pilot.click("#pool-all")
        await pilot.pause()
        modal = app.screen
        assert isinstance(modal, ExamSetupModal)
        chosen = modal.chosen_format()
        assert isinstance(chosen, ExamFormat) and chosen.all_questions
        await pilot.click("#start")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ExamScreen) and len(screen.run.questions) == 3
        await pilot.press("s")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert "3 questions · 2 beyond the KCSA" in screen_text(app)


async def test_a_bank_without_kcsa_questions_is_drawn_whole_and_says_so(
        bank: Bank, store: Store, clock: Clock) -> None:
    app = build(bank, store, clock)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("x")
        await pilot.pause()
        assert "No question is tagged kcsa: the paper is drawn from all of them." in flat(app)
        assert app.screen.query_one("#pool-kcsa").disabled  # type: ignore[attr-defined]
        assert app.screen.query_one("#pool-all").value  # type: ignore[attr-defined]
        app.exam_format = None
    app = build(bank, store, clock, "exam", exam_format=ExamFormat(3, timedelta(minutes=5)))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ExamScreen) and len(screen.run.questions) == 3
        assert "No question is tagged kcsa: the exam draws from all questions." in flat(app)
    assert app.exit_notes == ["exam: no question is tagged kcsa: the exam draws from all "
                              "questions"]


async def test_home_t_cycles_the_practice_tag_and_practice_follows_it(
        tagged: Bank, store: Store, clock: Clock) -> None:
    app = build(tagged, store, clock)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        assert isinstance(app.screen, HomeScreen)
        assert "tagged" not in screen_text(app)  # no filter: home as it always was
        order = [None, *app.practice_tags()]
        assert set(order[1:]) >= {"kcsa", "beyond-kcsa"}
        while app.practice_tag != "kcsa":
            await pilot.press("t")
            await pilot.pause()
        text = flat(app)
        assert "Practice asks only questions tagged kcsa." in text
        assert "Practice only the 0 questions tagged kcsa · t changes the filter" in text \
            or "Practice only the 1 question tagged kcsa · t changes the filter" in text
        home = app.screen
        topic = home.query_one("#topics").current  # type: ignore[attr-defined]
        await pilot.press("p")
        await pilot.pause()
        if topic.id == "network-policies":
            screen = app.screen
            assert isinstance(screen, QuestionScreen)
            assert [q.id for q in screen.session.questions] == ["np-deny-all-effect"]
        else:
            assert isinstance(app.screen, HomeScreen)
            assert "No questions tagged kcsa on" in flat(app)


async def test_practice_tag_from_the_command_line(tagged: Bank, store: Store,
                                                  clock: Clock) -> None:
    app = build(tagged, store, clock, "practice", tag="beyond-kcsa")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, QuestionScreen)
        assert {q.id for q in screen.session.questions} == set(tagged.questions) - KCSA


async def test_palette_sets_and_clears_the_practice_filter(tagged: Bank, store: Store,
                                                           clock: Clock) -> None:
    app = build(tagged, store, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"filter only questions tagged beyond")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert app.practice_tag == "beyond-kcsa"
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"filter every question")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert app.practice_tag is None


def test_cli_exam_all_and_practice_tag(tmp_path: Path, opened: list[QuizApp]) -> None:
    db = str(tmp_path / "p.db")
    code, output = invoke("--bank", str(TUI_BANK), "--db", db, "exam", "--all")
    assert code == 0, output
    assert opened[-1].exam_format is not None and opened[-1].exam_format.all_questions
    code, output = invoke("--bank", str(TUI_BANK), "--db", db, "exam")
    assert code == 0 and opened[-1].exam_format is not None
    assert not opened[-1].exam_format.all_questions
    code, output = invoke("--bank", str(bundled_bank()), "--db", db, "practice", "--tag",
                          "manifest")
    assert code == 0, output
    assert opened[-1].start == "practice" and opened[-1].practice_tag == "manifest"


def test_cli_unknown_tag_lists_the_tags(tmp_path: Path, opened: list[QuizApp]) -> None:
    code, output = invoke("--bank", str(bundled_bank()), "--db", str(tmp_path / "p.db"),
                          "practice", "--topic", "encryption", "--tag", "nope")
    assert code == 1 and not opened
    assert re.fullmatch(r"quiz: unknown tag 'nope'; the tags are: [a-z, -]+\n", output)
    assert "beyond-kcsa, " in output and "kcsa, " in output
    code, output = invoke("--bank", str(TUI_BANK), "--db", str(tmp_path / "p.db"),
                          "practice", "--tag", "kcsa")  # a bank that tags nothing
    assert code == 1 and output == "quiz: unknown tag 'kcsa'; the tags are: (none)\n"
    assert not (tmp_path / "p.db").exists()
    code, output = invoke("--bank", str(TUI_BANK), "--db", str(tmp_path / "p.db"),
                          "practice", "--tag", "\x1b]52;c;x\x07" + "k" * 5000)
    assert code == 1 and "\x1b" not in output and len(output) < 200  # escaped, bounded


class TestPoolSnapshots:
    """80x24: the exam's set-up dialog with both pools and their counts."""

    def test_setup_dialog_pools(self, snap_compare, tagged: Bank, store: Store,  # type: ignore[no-untyped-def]
                                clock: Clock) -> None:
        async def open_setup(pilot) -> None:  # type: ignore[no-untyped-def]
            await pilot.press("x")
            await pilot.pause()

        assert snap_compare(build(tagged, store, clock), terminal_size=(80, 24),
                            run_before=open_setup)
