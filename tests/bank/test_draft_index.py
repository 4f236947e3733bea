"""The draft index finds exactly the near-duplicates a check of the whole bank would."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from quiz.bank.bank import Bank
from quiz.bank.domain import Question
from quiz.bank.draft_index import DraftIndex, draft_index
from quiz.bank.similar import near_duplicates

WORDS = "pod policy egress ingress namespace selector label port deny allow".split()
stem = st.lists(st.sampled_from(WORDS), min_size=1, max_size=14).map(" ".join)


def bank_of(stems: list[str]) -> Bank:
    bank = Bank(())
    for n, text in enumerate(stems):
        q = object.__new__(Question)
        object.__setattr__(q, "id", f"q{n}")
        object.__setattr__(q, "question", text)
        object.__setattr__(q, "origin", f"f{n % 3}.yaml")
        bank.questions[q.id] = q
    return bank


@settings(max_examples=200, deadline=None)
@given(stems=st.lists(stem, min_size=1, max_size=40), draft=stem,
       skip=st.integers(0, 45))
def test_the_index_pairs_the_draft_as_near_duplicates_does(stems: list[str], draft: str,
                                                          skip: int) -> None:
    bank = bank_of(stems)
    replacing = f"q{skip}"
    pairs = near_duplicates([*((q.id, q.question) for q in bank.questions.values()
                               if q.id != replacing), ("\0draft", draft)])
    expected = sorted(a for a, b, _ in pairs if b == "\0draft")
    found = sorted(qid for qid, _ in DraftIndex.of(bank).similar(draft, skip=replacing))
    assert found == expected


def test_the_index_is_built_once_per_loaded_bank() -> None:
    bank = bank_of(["which pod can reach the db pod", "what does a policy select"])
    first = draft_index(bank)
    assert draft_index(bank) is first
    assert first.place["q1"] == ("f1.yaml", 0)
    other = bank_of(["which pod can reach the db pod"])
    assert draft_index(other) is not first
