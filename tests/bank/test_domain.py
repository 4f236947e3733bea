"""The app's bank objects (quiz.bank.domain) mirror the format models, without pydantic."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import pytest

from quiz.bank import domain, load_bank, models
from tests.conftest import MINI


@pytest.mark.parametrize("name", ["Source", "Topic", "Concept", "Claim", "TransportClaim",
                                  "Choice", "Question"])
def test_each_domain_class_has_its_models_fields(name: str) -> None:
    mine = {f.name: f for f in dataclasses.fields(getattr(domain, name))}
    model = getattr(models, name)
    extra = {"topic", "origin"} if name == "Question" else set()  # filled in by the loader
    assert set(mine) == set(model.model_fields) | extra
    for field_name, info in model.model_fields.items():
        default = info.get_default(call_default_factory=True)
        has_default = not info.is_required()
        mine_default = mine[field_name].default if mine[field_name].default_factory is \
            dataclasses.MISSING else mine[field_name].default_factory()  # type: ignore[misc]
        assert (mine_default is not dataclasses.MISSING) == has_default, field_name
        if has_default:
            assert mine_default == default, field_name


def test_a_loaded_bank_is_domain_objects_with_everything_carried_over() -> None:
    bank = load_bank([MINI])
    q = bank.questions["np-deny-effects"]
    assert type(q) is domain.Question and type(q.choices[0]) is domain.Choice
    assert q.topic == "network-policies" and q.origin.endswith("network-policies.yaml")
    assert q.correct_indices == frozenset({0, 1}) and q.is_multi
    assert type(bank.concepts["default-deny"]) is domain.Concept
    model = models.Question.model_validate({
        "id": q.id, "concepts": q.concepts, "question": q.question,
        "explanation": q.explanation,
        "choices": [{"text": c.text, "correct": c.correct, "why": c.why} for c in q.choices]})
    assert model.fingerprint() == q.fingerprint()


def test_a_cached_start_imports_no_pydantic(tmp_path: Path) -> None:
    code = f"""
import sys
from quiz.cli import Options, load_bank_or_exit
opts = Options(banks=({str(MINI)!r},))
load_bank_or_exit(opts)  # fills the cache
for name in [m for m in sys.modules if m.startswith(("pydantic", "quiz.bank.models"))]:
    del sys.modules[name]
bank = load_bank_or_exit(opts)
q = bank.questions["np-deny-scope"]
print(q.topic, q.is_multi, sorted(m for m in sys.modules if m.startswith("pydantic")))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=Path(__file__).parents[2]).stdout
    assert out.split() == ["network-policies", "False", "[]"]
