"""Indexes of a loaded bank that let one draft be checked without going over the whole bank.

``validate_draft`` needs, of the bank, only the questions a draft could clash with: the one
with its id and those with a near-identical stem. Built once per loaded bank (a 10,000-question
bank: ~0.5 s, in the form's first check), an index answers both in well under a millisecond,
with exactly the pairs ``near_duplicates`` would find over the bank plus the draft.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from quiz.bank.bank import Bank
from quiz.bank.similar import _COMMON, _MIN_SHARED, THRESHOLD, is_short, normalise, sketch


@dataclass
class DraftIndex:
    """Per question: its place in its file; per sketch trigram: the questions that have it."""

    size: int
    place: dict[str, tuple[str, int]] = field(default_factory=dict)  # id -> (origin, index)
    rank: dict[str, int] = field(default_factory=dict)  # id -> its position in the bank
    texts: dict[str, str] = field(default_factory=dict)  # id -> normalised stem
    short: dict[str, bool] = field(default_factory=dict)
    grams: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))

    @classmethod
    def of(cls, bank: Bank) -> DraftIndex:
        """The index of ``bank`` as it is now."""
        index = cls(len(bank.questions))
        seen: Counter[str] = Counter()
        for q in bank.questions.values():
            index.place[q.id] = (q.origin, seen[q.origin])  # its index in its file
            index.rank[q.id] = len(index.rank)
            seen[q.origin] += 1
            norm = normalise(q.question)
            words = norm.split()
            index.texts[q.id] = norm
            index.short[q.id] = is_short(words)
            for gram in sketch(words):
                index.grams[gram].append(q.id)
        return index

    def similar(self, stem: str, *, skip: str | None = None,
                threshold: float = THRESHOLD) -> list[tuple[str, float]]:
        """Questions whose stem ``near_duplicates`` would pair with ``stem`` (``skip`` aside)."""
        from rapidfuzz import fuzz  # only when a draft is checked

        norm = normalise(stem)
        words = norm.split()
        short = is_short(words)
        shared: Counter[str] = Counter()
        for gram in sketch(words):
            members = self.grams.get(gram, [])
            if len(members) > _COMMON:
                continue
            others = len(members) - (skip in members)  # the question being edited is out
            if 1 <= others < _COMMON:  # with the draft: 2 .. _COMMON members, as there
                shared.update(members)
        found = []
        for qid, count in shared.items():
            if qid == skip or (count < _MIN_SHARED and not (short or self.short[qid])):
                continue
            score = fuzz.ratio(self.texts[qid], norm, score_cutoff=threshold)
            if score:
                found.append((qid, score))
        return found


_INDEXES: dict[int, tuple[Bank, dict[str, Any], DraftIndex]] = {}


def draft_index(bank: Bank) -> DraftIndex:
    """The index of ``bank``, built on first use and kept while the bank and its questions
    are the same objects (a reloaded bank is a new one)."""
    entry = _INDEXES.get(id(bank))
    if entry is not None and entry[0] is bank and entry[1] is bank.questions \
            and entry[2].size == len(bank.questions):
        return entry[2]
    index = DraftIndex.of(bank)
    _INDEXES.clear()  # one bank at a time: the app holds one
    _INDEXES[id(bank)] = (bank, bank.questions, index)
    return index
