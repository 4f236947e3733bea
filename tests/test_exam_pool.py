"""The kcsa / beyond-kcsa pools: the mock exam draws kcsa-tagged questions unless asked for all
(a bank without any falls back to all, and says so); practice filters by tag; the report
counts both tags and the easy and hard shares."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest

from quiz.bank import Bank, load_bank
from quiz.bank.report import coverage_report
from quiz.exam import draw_exam, kcsa_count, paper_pool
from quiz.exam_setup import exam_format
from quiz.paths import bundled_bank
from quiz.scheduling import practice_queue
from tests.tui.conftest import TUI_BANK


@pytest.fixture(scope="module")
def bundled() -> Bank:
    return load_bank([bundled_bank()])


def retagged(bank: Bank, kcsa: set[str]) -> Bank:
    """The bank with exactly the questions ``kcsa`` tagged kcsa, the others beyond-kcsa."""
    questions = {qid: replace(q, tags=[t for t in q.tags if t not in ("kcsa", "beyond-kcsa")]
                              + ["kcsa" if qid in kcsa else "beyond-kcsa"])
                 for qid, q in bank.questions.items()}
    return replace(bank, questions=questions)


def test_the_default_paper_holds_only_kcsa_questions_weighted_by_topic(bundled: Bank) -> None:
    kcsa = {q.id for q in bundled.questions.values() if "kcsa" in q.tags}
    assert 60 <= len(kcsa) < len(bundled.questions)
    draw = draw_exam(bundled, 60, random.Random(3), all_questions=False)
    assert len(draw.questions) == 60 and draw.note is None
    assert {q.id for q in draw.questions} <= kcsa
    # The topic weights still share the paper out: the heaviest topic gets the most questions.
    per_topic = Counter(q.topic for q in draw.questions)
    heaviest = max(bundled.topics.values(), key=lambda t: t.weight).id
    assert per_topic[heaviest] == max(per_topic.values())
    assert len(per_topic) == len(bundled.topics)


def test_all_questions_draws_beyond_kcsa_ones_too(bundled: Bank) -> None:
    ids = {q.id for q in draw_exam(bundled, 187, random.Random(3), all_questions=True).questions}
    assert any("kcsa" not in bundled.questions[i].tags for i in ids)


def test_a_small_kcsa_pool_gives_all_of_it_and_says_so() -> None:
    bank = load_bank([TUI_BANK])
    tagged = retagged(bank, {"np-deny-all-effect"})
    draw = draw_exam(tagged, 3, random.Random(1), all_questions=False)
    assert [q.id for q in draw.questions] == ["np-deny-all-effect"]
    assert draw.note == ("the bank has 1 kcsa-tagged question; the exam uses all of them "
                         "instead of 3")
    assert kcsa_count(tagged) == 1


def test_a_bank_without_kcsa_questions_falls_back_to_all_with_one_line() -> None:
    bank = load_bank([TUI_BANK])
    assert kcsa_count(bank) == 0
    draw = draw_exam(bank, 3, random.Random(1), all_questions=False)
    assert len(draw.questions) == 3  # never an empty exam
    assert draw.note == "no question is tagged kcsa: the exam draws from all questions"
    assert draw_exam(bank, 3, random.Random(1), all_questions=True).note is None


def test_the_paper_says_which_pool_it_came_from() -> None:
    bank = load_bank([TUI_BANK])
    assert paper_pool(bank, list(bank.questions.values())) is None  # nothing tagged: silent
    tagged = retagged(bank, {"np-deny-all-effect"})
    assert paper_pool(tagged, [tagged.questions["np-deny-all-effect"]]) == "KCSA questions only"
    assert paper_pool(tagged, list(tagged.questions.values())) == "2 beyond the KCSA"


def test_exam_format_from_flags_keeps_the_pool() -> None:
    assert exam_format("60", "90", "75").all_questions is False
    assert exam_format("60", "90", "75", all_questions=True).all_questions is True


def test_practice_filters_by_tag(bundled: Bank) -> None:
    everything = practice_queue(bundled, tag="beyond-kcsa", rng=random.Random(1))
    assert everything and all("beyond-kcsa" in q.tags for q in everything)
    assert len(everything) == sum("beyond-kcsa" in q.tags for q in bundled.questions.values())
    cni = practice_queue(bundled, topic="cni", tag="kcsa", rng=random.Random(1))
    assert cni and {q.topic for q in cni} == {"cni"} and all("kcsa" in q.tags for q in cni)
    assert len(cni) < len(practice_queue(bundled, topic="cni"))


def test_report_shows_easy_hard_and_both_tags_per_topic_and_in_total() -> None:
    bank = retagged(load_bank([TUI_BANK]), {"np-deny-all-effect"})
    table = coverage_report(bank)
    header, _, *rows = table.split("\n\n")[0].splitlines()
    assert header.split(" | ")[-4:] == ["easy", "hard", "kcsa", "beyond-kcsa |"]
    total = rows[-1].split(" | ")
    assert total[-2:] == ["1 (33%)", "2 (66%) |"]
    difficulties = Counter(q.difficulty for q in bank.questions.values())
    assert total[-4] == f"{difficulties['easy']} ({100 * difficulties['easy'] // 3}%)"


def test_docs_say_how_to_use_the_tags() -> None:
    root = Path(__file__).resolve().parents[1]
    for doc in ("docs/bank-format.md", "docs/authoring.md"):
        text = (root / doc).read_text()
        assert "beyond-kcsa" in text and "--all" in text and "--tag" in text, doc
