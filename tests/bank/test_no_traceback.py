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
