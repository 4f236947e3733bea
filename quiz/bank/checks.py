"""Checks that span files: references, duplicate ids, near-duplicate stems, missing rationale."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from quiz.bank.bank import Bank
from quiz.bank.parsed import LoadState, ParsedFile
from quiz.bank.scenarios import check_scenarios

_Place = tuple[ParsedFile, tuple[str | int, ...]]


def cross_check(roots: tuple[Path, ...], state: LoadState, *, similar: bool) -> Bank:
    """Merge what was loaded into one Bank, reporting what does not fit together."""
    bank = Bank(roots)
    places: dict[tuple[str, str], _Place] = {}

    def claim(kind: str, item_id: str, place: _Place) -> bool:
        first = places.get((kind, item_id))
        if first is None:
            places[(kind, item_id)] = place
            return True
        f0, loc0 = first
        line, col = f0.at(loc0)
        state.error(place[0], place[1],
                    f"duplicate {kind} id '{item_id}' (first defined at {f0.display}:{line}:{col})",
                    item_id)
        return False

    for f, catalog in state.catalogs:
        for group, items, target in (("sources", catalog.sources, bank.sources),
                                     ("topics", catalog.topics, bank.topics),
                                     ("concepts", catalog.concepts, bank.concepts)):
            for i, item in enumerate(items):
                if claim(group[:-1], item.id, (f, (group, i))):
                    target[item.id] = item  # type: ignore[index]

    def unknown(kind: str, ref: str, known: Sequence[str]) -> str:
        import difflib  # only on the error path

        hint = difflib.get_close_matches(ref, list(known), n=1)
        return f"unknown {kind} '{ref}'" + (f" (did you mean '{hint[0]}'?)" if hint else "")

    for f, catalog in state.catalogs:
        for i, concept in enumerate(catalog.concepts):
            if concept.topic not in bank.topics:
                state.error(f, ("concepts", i, "topic"),
                            unknown("topic", concept.topic, list(bank.topics)), concept.id)
            if concept.source not in bank.sources:
                state.error(f, ("concepts", i, "source"),
                            unknown("source", concept.source, list(bank.sources)), concept.id)

    for f, topic in state.topic_refs:
        if topic not in bank.topics:
            state.error(f, ("topic",), unknown("topic", topic, list(bank.topics)))

    for f, i, q in state.questions:
        if not claim("question", q.id, (f, ("questions", i))):
            continue
        bank.questions[q.id] = q
        for j, ref in enumerate(q.concepts):
            if ref not in bank.concepts:
                state.error(f, ("questions", i, "concepts", j),
                            unknown("concept", ref, list(bank.concepts)), q.id)
        for k, choice in enumerate(q.choices):
            if not choice.correct and not choice.why:
                state.error(f, ("questions", i, "choices", k),
                            f"choices[{k + 1}]: a wrong choice has no 'why': say what makes "
                            "it wrong", q.id, warning=True)

    check_scenarios(state, [(f, i, q) for f, i, q in state.questions
                            if bank.questions.get(q.id) is q])

    if similar:
        from quiz.bank.similar import near_duplicates  # rapidfuzz: only when validating

        where = {q.id: (f, i) for f, i, q in state.questions}
        for a, b, score in near_duplicates((q.id, q.question) for q in bank.questions.values()):
            fa, ia = where[a]
            fb, ib = where[b]
            line, col = fa.at(("questions", ia))
            state.error(fb, ("questions", ib, "question"),
                        f"question text is {score:.0f}% the same as '{a}' "
                        f"({fa.display}:{line}:{col})", b, warning=True)

    bank.warnings = [p for p in state.problems if p.severity == "warning"]
    return bank
