"""Near-duplicate question stems, found without comparing every pair.

Stems are cut into word trigrams; only pairs that share several uncommon trigrams are scored
with rapidfuzz. That keeps a 10,000-question bank in the same time budget as loading it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

from rapidfuzz import fuzz

THRESHOLD = 92.0
_WORD = re.compile(r"[a-z0-9]+")
_MIN_SHARED = 3
_COMMON = 50  # a trigram in more stems than this says nothing about duplication


def normalise(text: str) -> str:
    """Lower-case words only: punctuation, Markdown and spacing do not make stems differ."""
    return " ".join(_WORD.findall(text.lower()))


def near_duplicates(
    stems: Iterable[tuple[str, str]], threshold: float = THRESHOLD
) -> list[tuple[str, str, float]]:
    """Pairs ``(id_a, id_b, score)`` whose normalised stems score at least ``threshold``."""
    ids: list[str] = []
    texts: list[str] = []
    index: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    for qid, stem in stems:
        norm = normalise(stem)
        n = len(ids)
        ids.append(qid)
        texts.append(norm)
        words = norm.split()
        for gram in set(zip(words, words[1:], words[2:], strict=False)):
            index[gram].append(n)
    shared: dict[tuple[int, int], int] = defaultdict(int)
    for members in index.values():
        if len(members) < 2 or len(members) > _COMMON:
            continue
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                shared[(a, b)] += 1
    pairs = []
    for (a, b), count in shared.items():
        if count < _MIN_SHARED and min(len(texts[a]), len(texts[b])) > 40:
            continue
        score = fuzz.ratio(texts[a], texts[b], score_cutoff=threshold)
        if score:
            pairs.append((ids[a], ids[b], score))
    return sorted(pairs)
