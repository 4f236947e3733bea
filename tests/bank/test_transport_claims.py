"""Transport claims in a bank: checked by `quiz validate` like reachability claims."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.bank.test_scenarios import validate

FIXTURE = Path(__file__).resolve().parents[1] / "data" / "banks" / "mesh-scenario"


@pytest.fixture
def bank(tmp_path: Path) -> Path:
    root = tmp_path / "bank"
    shutil.copytree(FIXTURE, root)
    return root


def edit(bank: Path, old: str, new: str) -> None:
    path = bank / "encryption.yaml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_the_fixture_keys_are_confirmed(bank: Path) -> None:
    assert validate(bank) == (0, f"{bank}: 1 question, 1 concept, 1 topic: ok\n")


def test_a_wrong_transport_claim_fails_with_file_line_col(bank: Path) -> None:
    edit(bank, "{from: tools/debug, to: bank/teller, port: 80, expected: rejected}",
         "{from: tools/debug, to: bank/teller, port: 80, expected: mtls}")
    code, out = validate(bank)
    assert code == 1
    assert f"{bank / 'encryption.yaml'}:18:13: mesh-strict-refuses: choices[2] is marked " \
           "correct but the evaluator disagrees: transport claim 1 does not hold: at " \
           "bank/teller: rejected (expected mtls)" in out
    assert "STRICT refuses plaintext" in out


def test_a_true_choice_not_marked_correct_is_an_error(bank: Path) -> None:
    edit(bank, "expected: plaintext}", "expected: rejected}")
    code, out = validate(bank)
    assert code == 1
    assert "choices[1] is not marked correct, but every one of its claims holds" in out


def test_an_unknown_service_is_named(bank: Path) -> None:
    edit(bank, "to: bank/teller, port: http", "to: bank/tellers, port: http")
    code, out = validate(bank)
    assert code == 1
    assert "choices[3].transport: unknown Service 'bank/tellers'" in out


def test_a_bad_expected_value_is_a_format_error(bank: Path) -> None:
    edit(bank, "expected: mtls}", "expected: tls}")
    code, out = validate(bank)
    assert code == 1
    assert "expected" in out and "encryption.yaml:23:" in out
