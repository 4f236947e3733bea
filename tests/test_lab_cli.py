"""`quiz lab --json`: the example's reachability, and bad manifests reported with their line."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from quiz.cli import cli


def allowed(records: list[dict], src: str, dst: str) -> bool:
    (record,) = [r for r in records if r["from"] == src and r["to"] == dst]
    return record["allowed"]


def test_example_matrix_json() -> None:
    result = CliRunner().invoke(cli, ["lab", "--json"])
    assert result.exit_code == 0, result.output
    records = json.loads(result.stdout)
    assert {tuple(sorted(r)) for r in records} == {("allowed", "from", "port", "protocol", "to",
                                                          "transport")}
    assert allowed(records, "api/orders", "data/postgres")
    assert not allowed(records, "web/storefront", "data/postgres")
    assert allowed(records, "web/storefront", "api/orders")
    assert not allowed(records, "web/debug", "api/orders")
    assert allowed(records, "web/debug", "web/storefront")  # nothing isolates storefront


def test_bad_manifest_names_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n"
                   "  name: x\nspec:\n  podSelector:\n    matchExpressions:\n"
                   "      - {key: app, operator: Equals, values: [a]}\n")
    result = CliRunner().invoke(cli, ["lab", str(bad), "--json"])
    assert result.exit_code == 1
    assert f"{bad}:8:" in result.output and "Equals" in result.output
    assert "Traceback" not in result.output


def test_an_alias_bomb_ends_in_one_line_naming_the_file(tmp_path: Path) -> None:
    from tests.netpol.test_netpol_limits import LIST_BOMB

    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(LIST_BOMB)
    result = CliRunner().invoke(cli, ["lab", str(bomb), "--json"])
    assert result.exit_code == 1
    assert result.output.startswith(f"quiz: {bomb}:") and result.output.count("\n") == 1
    assert "alias bomb" in result.output
