"""Terminal escapes in bank or manifest text never reach the terminal raw: every screen shows
them as visible escapes (``\\e]52;...``), whatever validation let through.

The banks here are built in the test, bypassing validation, with OSC 52 (clipboard write),
OSC 0 (window title) and CSI 2J (clear screen) in every text field.
"""

from __future__ import annotations

import random

from quiz.bank import Bank
from quiz.netpol.model import (
    Cluster,
    ContainerPort,
    Namespace,
    NetworkPolicy,
    Peer,
    Pod,
    PodRef,
    Rule,
)
from quiz.netpol.selectors import LabelSelector
from quiz.store import Store
from quiz.tui.app import make_app
from quiz.tui.lab_app import make_lab_app
from quiz.tui.screens.browse import BrowseScreen
from quiz.tui.screens.feedback import FeedbackScreen
from quiz.tui.screens.modals import ConceptPickerModal, MissedQuestionModal
from quiz.tui.screens.question import QuestionScreen
from quiz.tui.screens.question_detail import QuestionDetailScreen
from quiz.tui.screens.summary import SummaryScreen
from tests.conftest import Clock
from tests.tui.conftest import SIZE, AppFactory, keys_for, screen_text

EVIL = "\x1b]52;c;aGk=\x07\x1b]0;owned\x07\x1b[2J"
SHOWN = "\\e]52;c;aGk=\\x07"  # how EVIL must look on screen
CODE = "\n\n```yaml\nkind: " + EVIL + "\n```\n"
LIST = "\n\n- a list item " + EVIL + "\n"


def poison(bank: Bank) -> Bank:
    """Every text field of ``bank`` with EVIL in it (ids left alone: they key the store)."""
    for source in bank.sources.values():
        source.title = EVIL + source.title
    for topic in bank.topics.values():
        topic.title = EVIL + topic.title
        topic.description = EVIL
    for concept in bank.concepts.values():
        concept.title = EVIL + concept.title
        concept.summary = EVIL + concept.summary + LIST
        concept.caveat = EVIL + "caveat" + CODE
        concept.docs = [f"https://example.com/{EVIL}"]
    for question in bank.questions.values():
        question.question = EVIL + question.question + CODE
        question.explanation = EVIL + question.explanation + LIST
        question.tags = [EVIL]
        for choice in question.choices:
            choice.text = EVIL + choice.text
            choice.why = EVIL + "why"
    return bank


def assert_safe(text: str) -> None:
    assert "\x1b" not in text and "\x07" not in text and "\x9b" not in text
    assert SHOWN in text  # the text is there, made visible


async def test_no_raw_escape_on_the_study_screens(bank: Bank, store: Store,
                                                  clock: Clock) -> None:
    app = make_app(poison_ids(bank), store, now=clock, rng=random.Random(7), start="home")
    async with app.run_test(size=SIZE) as pilot:
        assert_safe(screen_text(app))  # topic list and detail
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, ConceptPickerModal)
        assert_safe(screen_text(app))
        await pilot.press("escape", "s")
        await pilot.pause()
        assert_safe(screen_text(app))  # stats
        await pilot.press("escape")
        await pilot.pause()
        app.start_practice("network-policies")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, QuestionScreen)
        assert_safe(screen_text(app))  # header, stem, code block, choices
        await pilot.press(*keys_for(screen.showing, right=False), "enter")
        await pilot.pause()
        assert isinstance(app.screen, FeedbackScreen)
        texts = [screen_text(app)]
        for _ in range(12):  # the whys, explanation and concept cards, a screen at a time
            await pilot.press("pagedown")
            await pilot.pause()
            texts.append(screen_text(app))
        for text in texts:
            assert "\x1b" not in text and "\x07" not in text
        assert SHOWN in "".join(texts)
        while not isinstance(app.screen, SummaryScreen):
            await pilot.press("enter")
            await pilot.pause()
            if isinstance(app.screen, QuestionScreen):
                await pilot.press(*keys_for(app.screen.showing, right=False), "enter")
                await pilot.pause()
        assert_safe(screen_text(app))
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, MissedQuestionModal)
        assert_safe(screen_text(app))


def poison_ids(bank: Bank) -> Bank:
    """``poison`` and every question id with EVIL in it too."""
    poison(bank)
    for question in list(bank.questions.values()):
        del bank.questions[question.id]
        question.id = EVIL + question.id
        bank.questions[question.id] = question
    return bank


async def test_no_raw_escape_when_browsing(make: AppFactory, bank: Bank) -> None:
    poison_ids(bank)
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("b")
        await pilot.pause()
        assert isinstance(app.screen, BrowseScreen)
        assert_safe(screen_text(app))  # table and preview
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, QuestionDetailScreen)
        assert_safe(screen_text(app))  # the id in the title, the question, its history
        await pilot.press("f")  # flag it: the notification names the question
        await pilot.pause()
        assert_safe(screen_text(app))


async def test_no_raw_escape_in_the_command_palette(make: AppFactory, bank: Bank) -> None:
    poison(bank)
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Practice")
        await pilot.pause(0.3)
        assert_safe(screen_text(app))


def evil_cluster() -> Cluster:
    """A cluster built directly (no manifest validation) with EVIL in names and labels."""
    ns = "ns" + EVIL
    web = Pod(PodRef(ns, "web" + EVIL), {"app": EVIL}, (ContainerPort(80, "TCP", "http"),))
    db = Pod(PodRef(ns, "db" + EVIL), {EVIL: "db"}, (ContainerPort(5432, "TCP", None),))
    selector = LabelSelector(((EVIL, "db"),))
    policy = NetworkPolicy(ns, "deny" + EVIL, selector, frozenset({"ingress"}),
                           (Rule((Peer(LabelSelector((("app", EVIL),))),)),))
    return Cluster({ns: Namespace(ns, {"kubernetes.io/metadata.name": ns})}, (db, web),
                   (policy,), origin="evil" + EVIL)


async def test_no_raw_escape_in_the_lab() -> None:
    app = make_lab_app(evil_cluster(), "evil" + EVIL + ".yaml")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert_safe(text)  # title, matrix headings and rows, policy list, verdict
        await pilot.press("right", "down")
        await pilot.pause()
        assert_safe(screen_text(app))


async def test_no_raw_escape_in_a_mock_exam(make: AppFactory, bank: Bank) -> None:
    from datetime import timedelta

    from quiz.exam import ExamFormat
    from quiz.tui.screens.exam import ExamScreen
    from quiz.tui.screens.exam_results import ExamAnswerModal, ExamResultsScreen

    poison_ids(bank)
    app = make("exam", exam_format=ExamFormat(3, timedelta(minutes=10), 0.75))
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, ExamScreen)
        assert_safe(screen_text(app))  # the paper: stem, code, choices
        await pilot.press(*keys_for(screen.showing, right=False), "l")
        await pilot.pause()
        assert_safe(screen_text(app))  # the jump list
        await pilot.press("escape", "s", "y")
        await pilot.pause()
        assert isinstance(app.screen, ExamResultsScreen)
        assert_safe(screen_text(app))
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ExamAnswerModal)
        assert_safe(screen_text(app))
