"""Golden `quiz lab --json` output on the bundled mesh example: every row's transport, and a
summary table a reader can check against the example's comments at a glance."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from quiz.cli import cli

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "question_bank" / "scenarios" / "mesh-three-namespaces.yaml"
GOLDEN = ROOT / "tests" / "data" / "golden" / "mesh-three-namespaces.json"


def lab_json() -> list[dict]:
    result = CliRunner().invoke(cli, ["lab", str(EXAMPLE), "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_mesh_example_json_matches_the_golden_file() -> None:
    """Any change to the evaluator's outcomes or reasons on the example shows up here; after a
    deliberate change, regenerate with `quiz lab <example> --json > tests/data/golden/…`."""
    assert lab_json() == json.loads(GOLDEN.read_text())


def test_mesh_example_outcomes_at_a_glance() -> None:
    """The outcomes the example's comments promise, written out by hand."""
    outcome = {}
    for row in lab_json():
        key = (row["from"], row["to"], row["port"])
        outcome[key] = None if row["transport"] is None else \
            [t["outcome"] for t in row["transport"]]
    assert outcome[("shop/web", "bank/ledger", 8080)] == ["mtls"]        # auto mTLS, STRICT
    assert outcome[("bank/teller", "bank/ledger", 8080)] == ["rejected"]  # DR DISABLE, "." only
    assert outcome[("tools/debug", "bank/ledger", 8080)] is None          # NetworkPolicy denies
    assert outcome[("tools/debug", "bank/ledger", 9090)] == ["plaintext"]  # portLevelMtls
    assert outcome[("tools/debug", "bank/teller", 8080)] == ["rejected"]  # STRICT
    assert outcome[("tools/debug", "shop/web", 8080)] == ["plaintext"]    # PERMISSIVE
    assert outcome[("shop/web", "shop/legacy", 8080)] == ["rejected"]     # forced mTLS, no car
    assert outcome[("tools/scanner", "shop/web", 8080)] == ["plaintext"]  # annotation: no car
    rows = lab_json()
    assert all(("transport" in r) for r in rows)
    assert all(r["transport"] is None for r in rows if not r["allowed"])
