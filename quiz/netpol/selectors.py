"""Kubernetes label selectors: ``matchLabels`` and ``matchExpressions``, ANDed together."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, cast

from quiz.netpol.reading import Loc, Reader
from quiz.textsafe import quote

Operator = Literal["In", "NotIn", "Exists", "DoesNotExist"]
OPERATORS: tuple[Operator, ...] = ("In", "NotIn", "Exists", "DoesNotExist")


@dataclass(frozen=True)
class Requirement:
    """One ``matchExpressions`` entry."""

    key: str
    operator: Operator
    values: frozenset[str] = frozenset()

    def matches(self, labels: Mapping[str, str]) -> bool:
        """Whether ``labels`` satisfy it; NotIn and DoesNotExist match a missing key."""
        if self.operator == "In":
            return self.key in labels and labels[self.key] in self.values
        if self.operator == "NotIn":
            return self.key not in labels or labels[self.key] not in self.values
        if self.operator == "Exists":
            return self.key in labels
        return self.key not in labels

    def __str__(self) -> str:
        if self.operator == "Exists":
            return self.key
        if self.operator == "DoesNotExist":
            return f"!{self.key}"
        word = "in" if self.operator == "In" else "notin"
        return f"{self.key} {word} ({','.join(sorted(self.values))})"


@dataclass(frozen=True)
class LabelSelector:
    """A label selector; the empty selector ``{}`` matches everything."""

    match_labels: tuple[tuple[str, str], ...] = ()
    expressions: tuple[Requirement, ...] = ()

    @property
    def is_empty(self) -> bool:
        """True for ``{}``, which selects every object."""
        return not self.match_labels and not self.expressions

    def matches(self, labels: Mapping[str, str]) -> bool:
        """Whether every ``matchLabels`` pair and every expression holds for ``labels``."""
        for key, value in self.match_labels:
            if labels.get(key) != value:
                return False
        return all(req.matches(labels) for req in self.expressions)

    def __str__(self) -> str:
        parts = [f"{k}={v}" for k, v in self.match_labels] + [str(e) for e in self.expressions]
        return ",".join(parts) if parts else "{}"


def parse_selector(reader: Reader, raw: Any, loc: Loc) -> LabelSelector:
    """Read a ``LabelSelector`` mapping, validating operators and values as the API server does."""
    mapping = reader.mapping(raw, loc, allowed=("matchLabels", "matchExpressions"))
    labels = reader.labels(mapping.get("matchLabels"), (*loc, "matchLabels"))
    expressions = []
    raw_expressions = reader.sequence(mapping.get("matchExpressions"), (*loc, "matchExpressions"))
    for i, item in enumerate(raw_expressions):
        expressions.append(_requirement(reader, item, (*loc, "matchExpressions", i)))
    return LabelSelector(tuple(sorted(labels.items())), tuple(expressions))


def _requirement(reader: Reader, raw: Any, loc: Loc) -> Requirement:
    mapping = reader.mapping(raw, loc, allowed=("key", "operator", "values"))
    key = reader.string(mapping.get("key"), (*loc, "key"))
    operator = reader.string(mapping.get("operator"), (*loc, "operator"))
    if operator not in OPERATORS:
        reader.fail((*loc, "operator"),
                    f"invalid operator {quote(operator)} (expected one of: {', '.join(OPERATORS)})")
    values = []
    for i, value in enumerate(reader.sequence(mapping.get("values"), (*loc, "values"))):
        values.append(reader.string(value, (*loc, "values", i), required=False))
    if operator in ("In", "NotIn") and not values:
        reader.fail((*loc, "values") if "values" in mapping else (*loc, "operator"),
                    f"operator {operator} needs a non-empty 'values' list")
    if operator in ("Exists", "DoesNotExist") and values:
        reader.fail((*loc, "values"), f"operator {operator} takes no 'values'")
    return Requirement(key, cast(Operator, operator), frozenset(values))
