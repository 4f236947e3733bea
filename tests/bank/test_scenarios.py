"""Answer keys of scenario questions are computed, so a wrong key cannot ship."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from quiz.cli import cli

SCENARIO = Path(__file__).resolve().parents[1] / "data" / "banks" / "scenario"


@pytest.fixture
def bank(tmp_path: Path) -> Path:
    root = tmp_path / "bank"
    shutil.copytree(SCENARIO, root)
    return root


def edit(bank: Path, old: str, new: str) -> None:
    path = bank / "network-policies.yaml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def validate(bank: Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["validate", str(bank)])
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def test_the_fixture_key_is_confirmed(bank: Path) -> None:
    assert validate(bank) == (0, f"{bank}: 1 question, 1 concept, 1 topic: ok\n")


def test_a_wrong_correct_flag_is_an_error_with_the_reason(bank: Path) -> None:
    edit(bank, "        why: A port entry without a protocol means TCP, not any protocol.",
         "        correct: true\n        why: A port entry without a protocol means any.")
    code, out = validate(bank)
    assert code == 1
    assert "sc-deny-ingress: choices[2] is marked correct but the evaluator disagrees: " \
           "claim 1 does not hold" in out
    assert "shop/web -> shop/db on 5432/UDP: DENIED" in out


def test_a_true_choice_not_marked_correct_is_an_error(bank: Path) -> None:
    edit(bank, "      - text: \"`debug` reaches `web` on 80\"\n        correct: true\n",
         "      - text: \"`debug` reaches `web` on 80\"\n")
    code, out = validate(bank)
    assert code == 1
    assert "choices[3] is not marked correct, but every one of its claims holds" in out


def test_stem_policy_must_match_the_scenario(bank: Path) -> None:
    edit(bank, "                    app: web\n            ports:\n              - port: 5432",
         "                    app: web\n            ports:\n              - port: 5433")
    code, out = validate(bank)
    assert code == 1
    assert "the stem's NetworkPolicy shop/db-from-web differs from the scenario's" in out


def test_unknown_pod_in_a_claim_names_it(bank: Path) -> None:
    edit(bank, "{from: shop/debug, to: shop/web", "{from: shop/ghost, to: shop/web")
    code, out = validate(bank)
    assert code == 1
    assert "choices[3].claims:" in out and "ghost" in out


def test_bad_scenario_manifest_points_at_its_line(bank: Path) -> None:
    edit(bank, "        kind: Pod\n        metadata: {name: debug",
             "        kind: Deployment\n        metadata: {name: debug")
    code, out = validate(bank)
    assert code == 1
    line = next(ln for ln in out.splitlines() if "Deployment" in ln)
    text = (bank / "network-policies.yaml").read_text().splitlines()
    number = int(line.split(":")[1])
    assert "kind: Deployment" in text[number - 1] or "Deployment" in line


def test_claims_without_scenario_are_an_error(bank: Path) -> None:
    text = (bank / "network-policies.yaml").read_text()
    start = text.index("    scenario:\n")
    end = text.index("    choices:\n")
    (bank / "network-policies.yaml").write_text(text[:start] + text[end:])
    code, out = validate(bank)
    assert code == 1
    assert "claims need a 'scenario' to be checked against" in out


CNP = """      - apiVersion: policy.networking.k8s.io/v1alpha2
        kind: ClusterNetworkPolicy
        metadata: {name: no-debug}
        spec:
          tier: Admin
          priority: 5
          subject: {namespaces: {}}
          ingress:
            - action: Deny
              from: [{pods: {namespaceSelector: {}, podSelector: {matchLabels: {app: debug}}}}]
"""


def test_a_cluster_network_policy_in_a_scenario_decides_claims(bank: Path) -> None:
    edit(bank, "    choices:\n", CNP + "    choices:\n")
    code, out = validate(bank)
    assert code == 1  # the Admin Deny now keeps debug out of web: the key is wrong
    assert "choices[3] is marked correct but the evaluator disagrees" in out
    assert "denied by Admin tier cnp:no-debug spec.ingress[0]: Deny" in out
    edit(bank, "      - text: \"`debug` reaches `web` on 80\"\n        correct: true\n",
         "      - text: \"`debug` reaches `web` on 80\"\n")
    assert validate(bank)[0] == 0


SHOWN_CNP = """      ---
      apiVersion: policy.networking.k8s.io/v1alpha2
      kind: ClusterNetworkPolicy
      metadata:
        name: no-debug
      spec:
        tier: Admin
        priority: PRIORITY
        subject:
          namespaces: {}
        ingress:
          - action: Deny
            from:
              - pods:
                  namespaceSelector: {}
                  podSelector:
                    matchLabels:
                      app: debug
"""


def test_a_cluster_network_policy_shown_in_the_stem_must_be_the_scenarios(bank: Path) -> None:
    stem_end = "              - port: 5432\n      ```\n"
    shown = "              - port: 5432\n" + SHOWN_CNP + "      ```\n"
    edit(bank, stem_end, shown.replace("PRIORITY", "5"))
    code, out = validate(bank)
    assert code == 1  # shown but not in the scenario: the key would ignore it
    assert "the stem shows ClusterNetworkPolicy no-debug, which the scenario does not " \
           "contain" in out
    edit(bank, "    choices:\n", CNP + "    choices:\n")
    edit(bank, "      - text: \"`debug` reaches `web` on 80\"\n        correct: true\n",
         "      - text: \"`debug` reaches `web` on 80\"\n")
    assert validate(bank) == (0, f"{bank}: 1 question, 1 concept, 1 topic: ok\n")
    edit(bank, "        priority: 5\n", "        priority: 6\n")  # the stem's copy only
    code, out = validate(bank)
    assert code == 1
    assert "the stem's ClusterNetworkPolicy no-debug differs from the scenario's" in out


def test_a_kind_the_evaluator_skips_is_a_warning(bank: Path) -> None:
    edit(bank, "    choices:\n", "      - {kind: NetworkPolicyy, metadata: {name: typo}}\n"
                                 "    choices:\n")
    code, out = validate(bank)
    assert code == 0
    assert "scenario: ignored: 1 NetworkPolicyy" in out
