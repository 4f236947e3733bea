"""ClusterNetworkPolicy (policy.networking.k8s.io/v1alpha2), rule by rule.

Each test names the part of the network-policy-api it follows: the API overview
(https://network-policy-api.sigs.k8s.io/api-overview/, sections "Tiers", "Actions",
"Priorities", "Rules", the hairpin note) or the field docs of
apis/v1alpha2/clusternetworkpolicy_types.go in kubernetes-sigs/network-policy-api.
"""

from __future__ import annotations

from typing import Any

import pytest

from quiz.netpol import (
    Cluster,
    ManifestError,
    PolicyToggles,
    check_claim,
    cluster_from_objects,
    evaluate,
    load_manifests_text,
    reachability_matrix,
)

API = "policy.networking.k8s.io/v1alpha2"


def ns(name: str, **labels: str) -> dict[str, Any]:
    return {"kind": "Namespace", "metadata": {"name": name, "labels": labels}}


def pod(ref: str, app: str, *ports: dict[str, Any], ip: str | None = None) -> dict[str, Any]:
    namespace, name = ref.split("/")
    return {"kind": "Pod", "metadata": {"name": name, "namespace": namespace,
                                        "labels": {"app": app}},
            "spec": {"containers": [{"name": "c", "ports": list(ports)}]},
            **({"status": {"podIP": ip}} if ip else {})}


BASE = [
    ns("prod", env="prod"), ns("dev", env="dev"), ns("kube-system"),
    pod("prod/web", "web", {"containerPort": 80, "name": "http"}, ip="10.0.0.10"),
    pod("prod/db", "db", {"containerPort": 5432, "name": "pg"}, ip="10.0.0.20"),
    pod("dev/tester", "tester", {"containerPort": 8080}, ip="10.0.1.10"),
    pod("kube-system/dns", "dns", {"containerPort": 53, "protocol": "UDP"}, ip="10.0.2.53"),
]


def cnp(name: str, tier: str, priority: int, subject: dict, **rules: list) -> dict[str, Any]:
    return {"apiVersion": API, "kind": "ClusterNetworkPolicy", "metadata": {"name": name},
            "spec": {"tier": tier, "priority": priority, "subject": subject, **rules}}


def netpol(ref: str, selector: dict, **spec: Any) -> dict[str, Any]:
    namespace, name = ref.split("/")
    return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": {"name": name, "namespace": namespace},
            "spec": {"podSelector": selector, **spec}}


def cluster(*extra: dict[str, Any]) -> Cluster:
    return cluster_from_objects([*BASE, *extra], origin="test")


PROD = {"namespaces": {"matchLabels": {"env": "prod"}}}
DEV = {"namespaces": {"matchLabels": {"env": "dev"}}}
DB = {"pods": {"namespaceSelector": {"matchLabels": {"env": "prod"}},
               "podSelector": {"matchLabels": {"app": "db"}}}}
ALLOW_ALL_INGRESS = netpol("prod/open", {}, ingress=[{}])
DENY_ALL_INGRESS = netpol("prod/shut", {}, policyTypes=["Ingress"])


def check(c: Cluster, src: str, dst: str, port: int | str, protocol: str = "TCP") -> bool:
    """The verdict, after checking the matrix says the same (the two code paths agree)."""
    verdict = evaluate(c, src, dst, port, protocol)
    edges = [e for e in reachability_matrix(c) if (str(e.src), str(e.dst), e.port) ==
             (src, dst, verdict.port)]
    assert [e.allowed for e in edges] in ([verdict.allowed], [])
    return verdict.allowed


# --- "Tiers": Admin, then NetworkPolicy, then Baseline, then allowed ------------------------

def test_tiers_admin_deny_overrides_a_networkpolicy_allow() -> None:
    c = cluster(ALLOW_ALL_INGRESS,
                cnp("no-dev", "Admin", 10, PROD, ingress=[{"action": "Deny", "from": [DEV]}]))
    verdict = evaluate(c, "dev/tester", "prod/web", 80)
    assert not verdict.allowed and verdict.ingress.decided_by == "admin"
    assert "Admin tier cnp:no-dev spec.ingress[0]: Deny" in verdict.ingress.explain()
    assert check(c, "prod/db", "prod/web", 80)  # the Deny names dev only


def test_tiers_admin_accept_overrides_a_networkpolicy_deny() -> None:
    c = cluster(DENY_ALL_INGRESS, cnp("dns-in", "Admin", 5, DB, ingress=[
        {"action": "Accept", "from": [{"namespaces": {"matchLabels": {
            "kubernetes.io/metadata.name": "kube-system"}}}]}]))
    assert check(c, "kube-system/dns", "prod/db", 5432)
    assert not check(c, "kube-system/dns", "prod/web", 80)  # web is not the subject
    assert not check(c, "dev/tester", "prod/db", 5432)  # the NetworkPolicy decides the rest


def test_tiers_networkpolicy_is_final_for_the_pods_it_isolates() -> None:
    """'v1.NetworkPolicy always makes a final decision for selected pods': Baseline is not read."""
    c = cluster(ALLOW_ALL_INGRESS,
                cnp("base-deny", "Baseline", 1, PROD, ingress=[{"action": "Deny",
                                                                "from": [DEV]}]))
    verdict = evaluate(c, "dev/tester", "prod/web", 80)
    assert verdict.allowed and verdict.ingress.decided_by == "networkpolicy"


def test_tiers_baseline_decides_for_pods_no_networkpolicy_isolates() -> None:
    c = cluster(cnp("base-deny", "Baseline", 1, PROD, ingress=[{"action": "Deny",
                                                                "from": [DEV]}]))
    verdict = evaluate(c, "dev/tester", "prod/web", 80)
    assert not verdict.allowed and verdict.ingress.decided_by == "baseline"
    assert "Baseline tier cnp:base-deny" in verdict.ingress.explain()
    assert check(c, "kube-system/dns", "prod/web", 80)  # no rule matches: the default


# --- "Actions" ---------------------------------------------------------------------------

def test_actions_pass_hands_over_to_the_networkpolicy_tier() -> None:
    c = cluster(DENY_ALL_INGRESS, cnp("delegate", "Admin", 1, PROD, ingress=[
        {"action": "Pass", "from": [PROD]}]),
        cnp("accept-all", "Admin", 2, PROD, ingress=[{"action": "Accept", "from": [PROD]}]))
    verdict = evaluate(c, "prod/web", "prod/db", 5432)
    assert not verdict.allowed and verdict.ingress.decided_by == "networkpolicy"
    assert "cnp:delegate spec.ingress[0]: Pass, then denied" in verdict.ingress.explain()


def test_actions_pass_in_the_baseline_tier_falls_to_the_default() -> None:
    c = cluster(cnp("b-pass", "Baseline", 1, PROD, ingress=[{"action": "Pass", "from": [DEV]}]),
                cnp("b-deny", "Baseline", 2, PROD, ingress=[{"action": "Deny", "from": [DEV]}]))
    assert check(c, "dev/tester", "prod/web", 80)
    assert evaluate(c, "dev/tester", "prod/web", 80).ingress.decided_by == "default"


def test_actions_egress_accept_still_meets_the_destination_ingress() -> None:
    """Egress Accept: 'any ingress rules at the destination do apply' (field doc of action)."""
    c = cluster(DENY_ALL_INGRESS,
                cnp("dev-out", "Admin", 1, DEV, egress=[{"action": "Accept", "to": [PROD]}]))
    verdict = evaluate(c, "dev/tester", "prod/web", 80)
    assert verdict.egress.allowed and not verdict.ingress.allowed and not verdict.allowed


def test_actions_egress_deny() -> None:
    c = cluster(cnp("no-db", "Admin", 1, DEV, egress=[{"action": "Deny", "to": [DB]}]))
    assert not check(c, "dev/tester", "prod/db", 5432)
    assert check(c, "dev/tester", "prod/web", 80)
    assert check(c, "prod/web", "prod/db", 5432)  # prod is not the subject


# --- "Priorities" and rule order ----------------------------------------------------------

def test_priorities_lower_value_is_checked_first() -> None:
    c = cluster(cnp("deny-late", "Admin", 20, PROD, ingress=[{"action": "Deny", "from": [DEV]}]),
                cnp("accept-early", "Admin", 10, PROD, ingress=[{"action": "Accept",
                                                                 "from": [DEV]}]))
    verdict = evaluate(c, "dev/tester", "prod/web", 80)
    assert verdict.allowed and verdict.ingress.admin is not None
    assert verdict.ingress.admin.rule.policy == "cnp:accept-early"
    assert check(c, "dev/tester", "prod/web", 80)


def test_priorities_equal_with_different_actions_is_called_ambiguous() -> None:
    c = cluster(cnp("a", "Admin", 7, PROD, ingress=[{"action": "Deny", "from": [DEV]}]),
                cnp("b", "Admin", 7, PROD, ingress=[{"action": "Accept", "from": [DEV]}]))
    text = evaluate(c, "dev/tester", "prod/web", 80).ingress.explain()
    assert "ambiguous: cnp:b has the same priority" in text


def test_rules_first_matching_rule_of_a_policy_wins() -> None:
    """'a rule that appears at the top of the ingress rules would take the highest precedence'."""
    c = cluster(cnp("ordered", "Admin", 1, PROD, ingress=[
        {"action": "Accept", "from": [DEV], "protocols": [{"tcp": {"destinationPort": {
            "number": 80}}}]},
        {"action": "Deny", "from": [DEV]}]))
    assert check(c, "dev/tester", "prod/web", 80)
    assert not check(c, "dev/tester", "prod/db", 5432)


# --- peers and ports (field docs) ----------------------------------------------------------

def test_protocols_range_and_named_port() -> None:
    c = cluster(DENY_ALL_INGRESS, cnp("ports", "Admin", 1, PROD, ingress=[
        {"action": "Accept", "from": [DEV], "protocols": [
            {"tcp": {"destinationPort": {"range": {"start": 5000, "end": 6000}}}},
            {"destinationNamedPort": "http"}]}]))
    assert check(c, "dev/tester", "prod/db", 5432)
    assert check(c, "dev/tester", "prod/web", "http")
    c2 = cluster(DENY_ALL_INGRESS, cnp("udp", "Admin", 1, PROD, ingress=[
        {"action": "Accept", "from": [DEV], "protocols": [
            {"udp": {"destinationPort": {"number": 5432}}}]}]))
    assert not check(c2, "dev/tester", "prod/db", 5432)  # TCP traffic, UDP rule


def test_pods_peer_needs_namespace_and_pod_to_match() -> None:
    c = cluster(cnp("db-only", "Admin", 1, {"namespaces": {}}, egress=[
        {"action": "Deny", "to": [DB]}]))
    assert not check(c, "prod/web", "prod/db", 5432)
    assert check(c, "prod/db", "prod/web", 80)


def test_networks_peer_matches_pod_ips() -> None:
    c = cluster(cnp("no-10-0-0", "Admin", 1, DEV, egress=[
        {"action": "Deny", "to": [{"networks": ["10.0.0.0/24"]}]}]))
    assert not check(c, "dev/tester", "prod/web", 80)
    assert check(c, "dev/tester", "kube-system/dns", 53, "UDP")


@pytest.mark.parametrize(("peer", "fragment"), [
    ({"nodes": {}}, "nodes peers are not evaluated"),
    ({"domainNames": ["example.com"]}, "domainNames peers are not evaluated"),
])
def test_unsupported_peers_are_refused_in_one_line(peer: dict, fragment: str) -> None:
    with pytest.raises(ManifestError) as caught:
        cluster(cnp("x", "Admin", 1, PROD, egress=[{"action": "Deny", "to": [peer]}]))
    assert fragment in str(caught.value) and "\n" not in str(caught.value)


@pytest.mark.parametrize(("spec", "fragment"), [
    ({"tier": "Platform", "priority": 1, "subject": PROD}, "invalid tier 'Platform'"),
    ({"tier": "Admin", "priority": 1001, "subject": PROD}, "out of range 0-1000"),
    ({"tier": "Admin", "subject": PROD}, "spec.priority: is required"),
    # a float named as such, not "must be a number, not a number"
    ({"tier": "Admin", "priority": 1.5, "subject": PROD},
     r"spec.priority: must be a whole number, not the decimal number 1.5$"),
    ({"tier": "Admin", "priority": 1e100, "subject": PROD},
     r"spec.priority: must be a whole number, not the decimal number 1e\+100$"),
    ({"tier": "Admin", "priority": "5", "subject": PROD},
     r"spec.priority: must be a whole number, not a string$"),
    ({"tier": "Admin", "priority": 1, "subject": {**PROD, **DB}}, "set exactly one of"),
    ({"tier": "Admin", "priority": 1, "subject": PROD,
      "ingress": [{"action": "Allow", "from": [DEV]}]}, "invalid action 'Allow'"),
    ({"tier": "Admin", "priority": 1, "subject": PROD,
      "ingress": [{"action": "Deny", "from": []}]}, "needs at least one peer"),
    ({"tier": "Admin", "priority": 1, "subject": PROD,
      "ingress": [{"action": "Deny", "from": [{"networks": ["10.0.0.0/8"]}]}]},
     "unknown field 'networks'"),
    ({"tier": "Admin", "priority": 1, "subject": PROD, "ingress": [
        {"action": "Deny", "from": [DEV], "protocols": [
            {"tcp": {"destinationPort": {"range": {"start": 90, "end": 80}}}}]}]},
     "start 90 must be less than end 80"),
])
def test_invalid_specs_are_refused(spec: dict, fragment: str) -> None:
    obj = {"apiVersion": API, "kind": "ClusterNetworkPolicy", "metadata": {"name": "x"},
           "spec": spec}
    with pytest.raises(ManifestError, match=fragment):
        cluster(obj)


def test_wrong_api_version_is_refused() -> None:
    with pytest.raises(ManifestError, match="expected policy.networking.k8s.io/v1alpha2"):
        load_manifests_text("apiVersion: policy.networking.k8s.io/v1alpha1\n"
                            "kind: ClusterNetworkPolicy\nmetadata: {name: x}\n")


# --- hairpin, toggles, claims ---------------------------------------------------------------

def test_a_pod_reaching_its_own_ip_is_not_subject_to_cnp() -> None:
    """API overview: 'A Pod connecting to its own Pod IP is not subject to CNP.'"""
    c = cluster(cnp("deny-all", "Admin", 0, {"namespaces": {}}, ingress=[
        {"action": "Deny", "from": [{"namespaces": {}}]}]))
    assert evaluate(c, "prod/web", "prod/web", 80).allowed
    assert not check(c, "prod/db", "prod/web", 80)


def test_toggling_a_cluster_policy_off() -> None:
    c = cluster(cnp("no-dev", "Admin", 10, PROD, ingress=[{"action": "Deny", "from": [DEV]}]))
    toggles = PolicyToggles(c)
    assert not toggles.evaluate("dev/tester", "prod/web", 80).allowed
    assert toggles.toggle("cnp:no-dev") is False
    assert toggles.evaluate("dev/tester", "prod/web", 80).allowed
    assert all(e.allowed for e in toggles.matrix())
    with pytest.raises(KeyError):
        toggles.toggle("cnp:nothing")


def test_claims_are_checked_with_cluster_policies() -> None:
    c = cluster(cnp("no-dev", "Admin", 10, PROD, ingress=[{"action": "Deny", "from": [DEV]}]))
    ok, verdict = check_claim(c, {"from": "dev/tester", "to": "prod/web", "port": 80,
                                  "allowed": False})
    assert ok and "cnp:no-dev" in "\n".join(verdict.explain())
    assert not check_claim(c, {"from": "dev/tester", "to": "prod/web", "port": 80,
                               "allowed": True})[0]
