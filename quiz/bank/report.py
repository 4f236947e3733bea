"""A bank's coverage as Markdown tables: per topic (with the difficulty and kcsa/beyond-kcsa
shares), per source section, per difficulty."""

from __future__ import annotations

import re
from collections import Counter

from quiz.bank.bank import Bank
from quiz.bank.domain import Question

_FENCE = re.compile(r"^```ya?ml", re.M)


def has_manifest(q: Question) -> bool:
    """Whether the stem shows a YAML manifest (or the question carries a scenario)."""
    return bool(_FENCE.search(q.question)) or q.scenario is not None


def sources_of(bank: Bank, q: Question) -> set[str]:
    """The source sections a question tests, through its concepts."""
    return {bank.concepts[c].source for c in q.concepts if c in bank.concepts}


def _share(n: int, total: int) -> str:
    """'12 (34%)'; percent rounded down, as the totals row always did."""
    return f"{n} ({100 * n // (total or 1)}%)"


KCSA_TAGS = ("kcsa", "beyond-kcsa")  # every bundled question carries exactly one of them


def coverage_report(bank: Bank) -> str:
    """The tables of docs/bank.md."""
    qs = list(bank.questions.values())
    total = len(qs) or 1
    lines = ["| topic | weight | questions | select all | manifest | scenario-checked | easy "
             "| hard | kcsa | beyond-kcsa |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]

    def shares(group: list[Question]) -> str:
        n = len(group)
        return " | ".join(_share(count, n) for count in (
            sum(q.difficulty == "easy" for q in group), sum(q.difficulty == "hard" for q in group),
            *(sum(tag in q.tags for q in group) for tag in KCSA_TAGS)))

    for topic in bank.topics.values():
        tq = [q for q in qs if q.topic == topic.id]
        lines.append(
            f"| {topic.title} (`{topic.id}`) | {topic.weight:g} | {len(tq)} "
            f"| {sum(q.is_multi for q in tq)} | {sum(has_manifest(q) for q in tq)} "
            f"| {sum(q.scenario is not None for q in tq)} | {shares(tq)} |")
    multi, manifest = sum(q.is_multi for q in qs), sum(has_manifest(q) for q in qs)
    lines.append(
        f"| **all** | | **{len(qs)}** | {multi} ({100 * multi // total}%) "
        f"| {manifest} ({100 * manifest // total}%) | {sum(q.scenario is not None for q in qs)} "
        f"| {shares(qs)} |")
    per_source = Counter(s for q in qs for s in sources_of(bank, q))
    lines += ["", "| source section | questions |", "| --- | ---: |"]
    lines += [f"| {s.title} (`{s.id}`) | {per_source[s.id]} |" for s in bank.sources.values()]
    per_difficulty = Counter(q.difficulty or "unset" for q in qs)
    lines += ["", "| difficulty | questions |", "| --- | ---: |"]
    lines += [f"| {d} | {per_difficulty[d]} |"
              for d in ("easy", "medium", "hard", "unset") if per_difficulty[d]]
    return "\n".join(lines) + "\n"
