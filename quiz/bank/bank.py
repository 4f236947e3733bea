"""The loaded, validated bank: what every other part of the app reads questions from."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from quiz.bank.domain import (
    Concept,
    Question,
    Source,
    Topic,
    concept_from,
    question_from,
    source_from,
    topic_from,
)

if TYPE_CHECKING:
    from quiz.bank.problems import Problem


@dataclass
class Bank:
    """Topics, sources, concepts and questions of one or more merged bank directories."""

    roots: tuple[Path, ...]
    sources: dict[str, Source] = field(default_factory=dict)
    topics: dict[str, Topic] = field(default_factory=dict)
    concepts: dict[str, Concept] = field(default_factory=dict)
    questions: dict[str, Question] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)
    # Questions' fingerprints (``Question.fingerprint()``), each with the question it is of, by
    # id: the bank cache keeps them, so a start compares each card's with the bank without
    # hashing each question's choices again (~75,000 instructions a question). Not part of
    # equality; a question put in another's place is not in it and is hashed when asked for.
    fingerprints: dict[str, tuple[Question, str]] = field(default_factory=dict, repr=False,
                                                         compare=False)

    def fingerprint(self, question: Question) -> str:
        """``question.fingerprint()``, from ``fingerprints`` when it has this very question's."""
        known = self.fingerprints.get(question.id)
        if known is None or known[0] is not question:
            return question.fingerprint()
        return known[1]

    def in_topic(self, topic_id: str) -> list[Question]:
        """The questions of one topic, in bank order."""
        return [q for q in self.questions.values() if q.topic == topic_id]

    def with_concept(self, concept_id: str) -> list[Question]:
        """The questions that test one concept, in bank order."""
        return [q for q in self.questions.values() if concept_id in q.concepts]

    def concepts_of(self, question: Question) -> list[Concept]:
        """The concept cards to show after a question is answered."""
        return [self.concepts[c] for c in question.concepts if c in self.concepts]

    def summary(self) -> str:
        """'152 questions, 41 concepts, 8 topics'."""
        return ", ".join(_count(n, word) for n, word in (
            (len(self.questions), "question"), (len(self.concepts), "concept"),
            (len(self.topics), "topic")))


def as_domain(checked: Bank) -> Bank:
    """A bank checked with the format models, as the domain objects the app uses."""
    return Bank(roots=checked.roots,
                sources={k: source_from(v) for k, v in checked.sources.items()},
                topics={k: topic_from(v) for k, v in checked.topics.items()},
                concepts={k: concept_from(v) for k, v in checked.concepts.items()},
                questions={k: question_from(v) for k, v in checked.questions.items()},
                warnings=checked.warnings)


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"
