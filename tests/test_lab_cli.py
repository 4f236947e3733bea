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


MERGED = """\
apiVersion: v1
kind: Namespace
metadata: {name: web, labels: {istio-injection: enabled}}
---
apiVersion: v1
kind: Namespace
metadata: {name: bank, labels: {istio-injection: enabled}}
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: web, labels: {app: client}}
spec: {containers: [{name: c, image: i}]}
---
apiVersion: v1
kind: Pod
metadata: {name: ledger, namespace: bank, labels: {app: ledger, version: v1}}
spec: {containers: [{name: c, image: i, ports: [{containerPort: 8080}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: ledger, namespace: bank}
spec: {selector: {app: ledger}, ports: [{port: 80, targetPort: 8080}]}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: ledger-subsets, namespace: bank, creationTimestamp: "2025-01-01T00:00:00Z"}
spec: {host: ledger, subsets: [{name: v1, labels: {version: v1}}]}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: ledger-plain, namespace: bank, creationTimestamp: "2025-03-01T00:00:00Z"}
spec: {host: ledger, trafficPolicy: {tls: {mode: DISABLE}}}
"""


def test_the_lab_says_when_merged_destination_rules_decided(tmp_path: Path) -> None:
    """mergeDestinationRule (Istio destination_rule.go): the older subsets-only rule takes the
    newer rule's trafficPolicy, so the client sends plaintext, and the reason names both."""
    path = tmp_path / "merged.yaml"
    path.write_text(MERGED)
    result = CliRunner().invoke(cli, ["lab", str(path), "--json"])
    assert result.exit_code == 0, result.output
    (row,) = [r for r in json.loads(result.stdout) if r["to"] == "bank/ledger"]
    (transport,) = row["transport"]
    assert transport["outcome"] == "plaintext"
    (why,) = [r for r in transport["reasons"] if "DestinationRule" in r]
    assert "bank/ledger-subsets + bank/ledger-plain merged" in why
    assert why.endswith("trafficPolicy.tls DISABLE")
