"""Typed models of the bank format (bank-format.md, v1).

These classes validate the YAML (``extra="forbid"`` makes unknown keys errors), and the JSON
Schema printed by ``quiz schema`` is generated from them, so the editor's completion and the
validator never disagree. A validated bank becomes ``quiz.bank.domain`` objects (same fields,
no pydantic) for the rest of the app.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, StrictBool, field_validator

from quiz.bank import domain
from quiz.textsafe import quote

SLUG = r"^[a-z0-9]+(-[a-z0-9]+)*$"
SOURCE_ID = r"^[a-z0-9]+(-[a-z0-9]+)*(/[a-z0-9]+(-[a-z0-9]+)*)*$"

Slug = Annotated[str, Field(pattern=SLUG, description="lower-case slug: [a-z0-9]+(-[a-z0-9]+)*")]
# Text that is more than white space. A pattern (checked in pydantic's Rust core) rather than
# a Python validator, which would cost a call per field on a 10,000-question bank.
NonEmpty = Annotated[str, Field(pattern=r"\S", description="text, not blank")]
Difficulty = Literal["easy", "medium", "hard"]
# Booleans are true or false, never 1, "yes" or "on" (pydantic's lax mode takes all of those).
Flag = StrictBool


class _Strict(BaseModel):
    # defer_build: a bank read from the cache never validates, so it need not pay for
    # compiling validators at import time.
    model_config = ConfigDict(extra="forbid", defer_build=True)


class Source(_Strict):
    """A section of the source material the bank is written from."""

    id: Annotated[str, Field(pattern=SOURCE_ID, description="slug, '/' separates levels")]
    title: NonEmpty


class Topic(_Strict):
    """A topic: one question file each; the unit of practice and of exam weighting."""

    id: Slug
    title: NonEmpty
    description: NonEmpty | None = None
    # Finite: .inf or .nan would pass gt=0 and end as "nan%" in stats and a crash in the exam.
    weight: Annotated[float, Field(gt=0, allow_inf_nan=False, strict=True,
                                   description="relative share of a mock exam")] = 1.0


class Concept(_Strict):
    """An idea a question tests, shown as a card after answering."""

    id: Slug
    topic: Slug
    title: NonEmpty
    summary: NonEmpty
    source: Annotated[str, Field(pattern=SOURCE_ID)]
    docs: list[Annotated[str, Field(pattern=r"^https?://\S+$")]] = Field(default_factory=list)
    caveat: NonEmpty | None = None


class Catalog(_Strict):
    """The contents of a bank's concepts.yaml."""

    sources: list[Source] = Field(default_factory=list)
    topics: list[Topic] = Field(default_factory=list)
    concepts: list[Concept] = Field(default_factory=list)


class Claim(BaseModel):
    """A reachability statement checked against a question's scenario by the policy evaluator."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, defer_build=True)

    from_: Annotated[str, Field(alias="from", min_length=1, description="namespace/pod")]
    to: Annotated[str, Field(min_length=1, description="namespace/pod")]
    port: Annotated[int, Field(strict=True)] | str
    protocol: Literal["TCP", "UDP", "SCTP"] = "TCP"
    allowed: Flag


class TransportClaim(BaseModel):
    """How a connection through a Service arrives under Istio, checked against the scenario
    by the transport evaluator (sidecar mode)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, defer_build=True)

    from_: Annotated[str, Field(alias="from", min_length=1,
                                description="namespace/pod: the client")]
    to: Annotated[str, Field(min_length=1, description="namespace/service: the Service dialled")]
    port: Annotated[int, Field(strict=True)] | str = Field(
        description="the Service port (number or name), not the container port")
    pod: Annotated[str, Field(min_length=1)] | None = Field(
        default=None, description="namespace/pod: one endpoint of the Service (default: every one)")
    expected: Literal["mtls", "plaintext", "rejected"]


class Choice(_Strict):
    """One answer option."""

    text: NonEmpty
    correct: Flag = False
    why: NonEmpty | None = None
    claims: list[Claim] | None = Field(
        default=None,
        description="reachability claims; the choice is true exactly when all of them hold",
    )
    transport: list[TransportClaim] | None = Field(
        default=None,
        description="Istio transport claims (mtls, plaintext, rejected); like claims, all must "
        "hold for the choice to be true",
    )


class Question(_Strict):
    """A multiple-choice question; several correct choices make it 'select all that apply'."""

    id: Slug
    concepts: list[Slug] = Field(min_length=1)
    difficulty: Difficulty | None = None
    tags: list[Slug] = Field(default_factory=list)
    question: NonEmpty
    choices: list[Choice] = Field(min_length=2, max_length=6)
    shuffle: Flag = True
    explanation: NonEmpty
    scenario: str | list[dict[str, Any]] | None = Field(
        default=None,
        description="Kubernetes manifests the claims are evaluated on: a list of objects, "
        "or a path (relative to this file) to a YAML file of them",
    )
    broken_manifest: Flag = Field(
        default=False,
        description="the question's YAML blocks are deliberately invalid Kubernetes manifests",
    )

    # Filled in by the loader: the question file's topic and the file it came from.
    _topic: str = PrivateAttr(default="")
    _origin: str = PrivateAttr(default="")

    @field_validator("choices")
    @classmethod
    def _check_choices(cls, choices: list[Choice]) -> list[Choice]:
        if not any(c.correct for c in choices):
            raise ValueError("no choice is marked correct")
        seen: dict[str, int] = {}
        for number, c in enumerate(choices, 1):
            key = " ".join(c.text.split()).casefold()
            if key in seen:
                raise ValueError(
                    f"choices {seen[key]} and {number} have the same text: "
                    f"{quote(c.text.strip())}"
                )
            seen[key] = number
        return choices

    @property
    def topic(self) -> str:
        return self._topic

    @property
    def origin(self) -> str:
        """The bank file the question was loaded from."""
        return self._origin

    @property
    def correct_indices(self) -> frozenset[int]:
        return domain.correct_indices(self.choices)

    @property
    def is_multi(self) -> bool:
        return len(self.correct_indices) > 1

    def fingerprint(self) -> str:
        """See ``quiz.bank.domain.fingerprint``."""
        return domain.fingerprint(self.choices)


class QuestionFile(_Strict):
    """A question file: one topic, its questions."""

    topic: Slug
    questions: list[Question] = Field(default_factory=list)
