"""The bank as the app uses it: plain dataclasses, no pydantic.

``quiz.bank.models`` is the file format (pydantic: validation, JSON Schema); a bank that passed
it is turned into these objects (``question_from`` and co.), which ``Bank`` holds, the cache
stores and every screen reads. Keeping pydantic out of them lets a start-up that finds the
bank in the cache skip importing pydantic (~45 ms, a third of a bare Textual app's start-up).
A test checks that every class here has exactly its format model's fields and defaults.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any


@dataclass(kw_only=True, slots=True)
class Source:
    """A section of the source material the bank is written from."""

    id: str
    title: str


@dataclass(kw_only=True, slots=True)
class Topic:
    """A topic: one question file each; the unit of practice and of exam weighting."""

    id: str
    title: str
    description: str | None = None
    weight: float = 1.0


@dataclass(kw_only=True, slots=True)
class Concept:
    """An idea a question tests, shown as a card after answering."""

    id: str
    topic: str
    title: str
    summary: str
    source: str
    docs: list[str] = field(default_factory=list)
    caveat: str | None = None


@dataclass(kw_only=True, slots=True)
class Claim:
    """A reachability statement checked against a question's scenario."""

    from_: str
    to: str
    port: int | str
    protocol: str = "TCP"
    allowed: bool

    def as_mapping(self) -> dict[str, Any]:
        """The claim as written in the bank (``from``, not ``from_``), for ``quiz.netpol``."""
        return {"from": self.from_, "to": self.to, "port": self.port,
                "protocol": self.protocol, "allowed": self.allowed}


@dataclass(kw_only=True, slots=True)
class TransportClaim:
    """How a connection through a Service arrives under Istio (mtls, plaintext, rejected)."""

    from_: str
    to: str
    port: int | str
    pod: str | None = None
    expected: str

    def as_mapping(self) -> dict[str, Any]:
        """The claim as written in the bank (``from``, not ``from_``), for ``quiz.netpol``."""
        data = {"from": self.from_, "to": self.to, "port": self.port, "expected": self.expected}
        return data if self.pod is None else {**data, "pod": self.pod}


@dataclass(kw_only=True, slots=True)
class Choice:
    """One answer option."""

    text: str
    correct: bool = False
    why: str | None = None
    claims: list[Claim] | None = None
    transport: list[TransportClaim] | None = None


@dataclass(kw_only=True, slots=True)
class Question:
    """A multiple-choice question; several correct choices make it 'select all that apply'."""

    id: str
    concepts: list[str]
    difficulty: str | None = None
    tags: list[str] = field(default_factory=list)
    question: str
    choices: list[Choice]
    shuffle: bool = True
    explanation: str
    scenario: str | list[dict[str, Any]] | None = None
    broken_manifest: bool = False
    topic: str = ""  # the question file's topic
    origin: str = ""  # the bank file it was loaded from

    @property
    def correct_indices(self) -> frozenset[int]:
        return correct_indices(self.choices)

    @property
    def is_multi(self) -> bool:
        return len(self.correct_indices) > 1

    def fingerprint(self) -> str:
        """See ``fingerprint``."""
        return fingerprint(self.choices)


def correct_indices(choices: list[Any]) -> frozenset[int]:
    """The positions (bank order) of the correct choices."""
    return frozenset(i for i, c in enumerate(choices) if c.correct)


def fingerprint(choices: list[Any]) -> str:
    """Hash of what decides the answer: the choice texts and which are correct.

    Rewording the explanation or a `why` keeps the fingerprint; changing the answer key
    changes it, so the scheduler can give the question a fresh card.
    """
    key = sorted((" ".join(c.text.split()), c.correct) for c in choices)
    return hashlib.sha256(json.dumps(key).encode()).hexdigest()[:16]


# --- from the validated format models --------------------------------------------------------
# They are read by attribute only, so this module never imports them.

def source_from(m: Any) -> Source:
    return Source(id=m.id, title=m.title)


def topic_from(m: Any) -> Topic:
    return Topic(id=m.id, title=m.title, description=m.description, weight=m.weight)


def concept_from(m: Any) -> Concept:
    return Concept(id=m.id, topic=m.topic, title=m.title, summary=m.summary, source=m.source,
                   docs=list(m.docs), caveat=m.caveat)


def _claim_from(m: Any) -> Claim:
    return Claim(from_=m.from_, to=m.to, port=m.port, protocol=m.protocol, allowed=m.allowed)


def _transport_from(m: Any) -> TransportClaim:
    return TransportClaim(from_=m.from_, to=m.to, port=m.port, pod=m.pod, expected=m.expected)


def _choice_from(m: Any) -> Choice:
    return Choice(text=m.text, correct=m.correct, why=m.why,
                  claims=None if m.claims is None else [_claim_from(c) for c in m.claims],
                  transport=None if m.transport is None else
                  [_transport_from(c) for c in m.transport])


def question_from(m: Any) -> Question:
    return Question(id=m.id, concepts=list(m.concepts), difficulty=m.difficulty,
                    tags=list(m.tags), question=m.question,
                    choices=[_choice_from(c) for c in m.choices], shuffle=m.shuffle,
                    explanation=m.explanation, scenario=m.scenario,
                    broken_manifest=m.broken_manifest, topic=m.topic, origin=m.origin)
