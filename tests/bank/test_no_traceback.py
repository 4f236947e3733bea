"""Whatever bytes are in a bank file, loading reports problems and never raises."""

from __future__ import annotations

from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quiz.bank import check_bank

GOOD = Path(__file__).resolve().parents[1] / "data" / "banks" / "good"

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=20))
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.sampled_from(
                                ["id", "topic", "questions", "choices", "text", "correct",
                                 "why", "concepts", "question", "explanation", "x"]),
                                inner, max_size=5)),
    max_leaves=20,
)


def _bank(tmp: Path, content: bytes) -> Path:
    root = tmp / "bank"
    root.mkdir(exist_ok=True)
    (root / "concepts.yaml").write_bytes((GOOD / "concepts.yaml").read_bytes())
    (root / "case.yaml").write_bytes(content)
    return root


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=200))
def test_random_bytes(tmp_path: Path, content: bytes) -> None:
    bank, problems = check_bank([_bank(tmp_path, content)])
    assert bank is not None or problems


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values)
def test_random_structures(tmp_path: Path, data: object) -> None:
    content = yaml.safe_dump(data, allow_unicode=True).encode()
    bank, problems = check_bank([_bank(tmp_path, content)])
    assert bank is not None or all(str(p) for p in problems)


# Odd scalars YAML resolves in surprising ways, and the shapes an attacker builds from anchors.
odd_scalars = st.sampled_from(
    ["yes", "no", "on", "~", "1:20", "0x1F", ".inf", "-.nan", "2024-01-01", "9" * 5000, "=",
     "'\\e]52;c;eA==\\a'", '"\\e[2J"', '"\\x9b"', "!!binary aGk=", "!!python/none ''", "<<",
     "\u202eevil", "''", "[]", "{}"])


@st.composite
def yaml_trees(draw: st.DrawFn) -> str:
    """YAML text of random flow-style trees with anchors, aliases (some recursive, some
    nested deep), duplicate keys and odd scalars, under the keys a question file has."""
    anchors: list[str] = []

    def node(depth: int) -> str:
        choice = draw(st.integers(0, 9 if depth < 8 else 2))
        if choice == 0 and anchors:
            return "*" + draw(st.sampled_from(anchors))
        if choice <= 2:
            return draw(odd_scalars)
        if choice == 3:
            return "[" * 70 + "x" + "]" * 70
        anchor = f"a{len(anchors)}"
        anchors.append(anchor)  # an alias inside its own anchor is possible from here on
        keys = ["id", "text", "correct", "choices", "questions", "x", "x"]
        if choice <= 6:
            items = [node(depth + 1) for _ in range(draw(st.integers(0, 9)))]
            return f"&{anchor} [" + ", ".join(items) + "]"
        pairs = [f"{draw(st.sampled_from(keys))}: {node(depth + 1)}"
                 for _ in range(draw(st.integers(0, 5)))]
        return f"&{anchor} {{" + ", ".join(pairs) + "}"

    return f"topic: network-policies\nquestions: [{node(0)}, {node(0)}]\n"


@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(yaml_trees())
def test_random_yaml_with_aliases_and_odd_scalars(tmp_path: Path, text: str) -> None:
    bank, problems = check_bank([_bank(tmp_path, text.encode())])
    assert bank is not None or problems
    for p in problems:
        shown = str(p)
        assert "\x1b" not in shown and "\n" not in shown and len(shown) < 600
