"""Near-duplicate question stems, found without comparing every pair.

Stems are cut into word trigrams; only pairs whose sketches (the few trigrams with the smallest
hashes) overlap are scored with rapidfuzz. That keeps a 10,000-question bank within the time
budget of loading it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

from rapidfuzz import fuzz

THRESHOLD = 92.0
_WORD = re.compile(r"[a-z0-9]+")
_SKETCH = 8  # trigrams kept per stem: the ones with the smallest hashes (a bottom-k sketch)
_MIN_SHARED = 2
_COMMON = 50  # a trigram in more stems than this says nothing about duplication


def normalise(text: str) -> str:
    """Lower-case words only: punctuation, Markdown and spacing do not make stems differ."""
    return " ".join(_WORD.findall(text.lower()))


def sketch(words: list[str]) -> list[int]:
    """The stem's bottom-k sketch: hashes of its word trigrams, the ``_SKETCH`` smallest."""
    grams = {hash(g) for g in zip(words, words[1:], words[2:], strict=False)}
    return sorted(grams)[:_SKETCH]


def is_short(words: list[str]) -> bool:
    """Too few words for the sketch to be trusted: a pair sharing one trigram is scored."""
    return len(words) <= 8


def near_duplicates(
    stems: Iterable[tuple[str, str]], threshold: float = THRESHOLD
) -> list[tuple[str, str, float]]:
    """Pairs ``(id_a, id_b, score)`` whose normalised stems score at least ``threshold``."""
    ids: list[str] = []
    texts: list[str] = []
    short: list[bool] = []  # too few words for the sketch to be trusted: always scored
    index: dict[int, list[int]] = defaultdict(list)
    for qid, stem in stems:
        norm = normalise(stem)
        n = len(ids)
        ids.append(qid)
        texts.append(norm)
        words = norm.split()
        short.append(is_short(words))
        # Near-identical stems share most trigrams, so they share most of their few
        # smallest-hash trigrams too; indexing only those keeps the candidate pairs few.
        for gram in sketch(words):
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
        if count < _MIN_SHARED and not (short[a] or short[b]):
            continue
        score = fuzz.ratio(texts[a], texts[b], score_cutoff=threshold)
        if score:
            pairs.append((ids[a], ids[b], score))
    return sorted(pairs)
