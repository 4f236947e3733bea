"""The loaded, validated bank: what every other part of the app reads questions from."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from quiz.bank.models import Concept, Question, Source, Topic
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


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"
