"""Near-duplicate stems are warned about; different questions on the same manifest are not."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from quiz.bank.similar import near_duplicates
from quiz.cli import cli


def test_reworded_punctuation_and_case_is_a_near_duplicate() -> None:
    pairs = near_duplicates([
        ("a", "Which pods can reach the `db` pod on TCP port 5432 after both policies apply?"),
        ("b", "which pods can reach the db pod on TCP port 5432, after both policies apply"),
        ("c", "What does kube-proxy do when a Service has no ready endpoints?"),
    ])
    assert [(a, b) for a, b, _ in pairs] == [("a", "b")]


def test_short_identical_stems_are_found() -> None:
    assert near_duplicates([("x", "What is CNI?"), ("y", "What is CNI")])


def test_distinct_questions_are_not_flagged() -> None:
    stems = [(f"q{i}", f"Question about port {i * 97} and label tier-{i} in namespace ns-{i}")
             for i in range(50)]
    assert near_duplicates(stems, threshold=99) == []


def test_validate_warns_but_exits_zero(data_dir: Path, tmp_path: Path) -> None:
    bank = tmp_path / "bank"
    shutil.copytree(data_dir / "banks" / "good", bank)
    text = (bank / "network-policies.yaml").read_text()
    copy = text.split("  - id: np-literal-markup")[0].replace(
        "id: np-deny-all-scope", "id: np-deny-all-scope-again")
    (bank / "more.yaml").write_text(copy)
    result = CliRunner().invoke(cli, ["validate", str(bank)])
    assert result.exit_code == 0, result.output
    (warning,) = [line for line in result.output.splitlines() if ": warning: " in line]
    assert "question text is 100% the same as" in warning
    assert "np-deny-all-scope-again" in warning
    assert result.output.strip().endswith(": 1 warning")
