"""The reachability matrix, policy toggles, JSON records and claims from questions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from quiz.netpol import (
    Cluster,
    PolicyToggles,
    QueryError,
    UnknownPodError,
    check_claim,
    cluster_from_objects,
    evaluate,
    load_manifests_file,
    matrix_to_records,
    port_edges,
    reachability_matrix,
)

DATA = Path(__file__).parent.parent / "data" / "netpol"


def bank() -> Cluster:
    return load_manifests_file(DATA / "deny-all-then-allow.yaml")


def test_matrix_covers_each_declared_port_of_each_other_pod() -> None:
    records = matrix_to_records(reachability_matrix(bank()))
    assert records == [
        {"from": "bank/ledger", "to": "bank/teller", "port": 7000, "protocol": "TCP",
         "allowed": False},
        {"from": "bank/teller", "to": "bank/ledger", "port": 5432, "protocol": "TCP",
         "allowed": True},
    ]


def test_records_are_json_ready() -> None:
    records = matrix_to_records(reachability_matrix(bank()))
    assert json.loads(json.dumps(records)) == records


def test_matrix_leaves_out_pods_without_ports_as_destinations() -> None:
    cluster = load_manifests_file(DATA / "ip-block.yaml")
    assert {str(e.dst) for e in reachability_matrix(cluster)} == {"edge/gateway"}


def test_matrix_agrees_with_evaluate_for_every_edge() -> None:
    cluster = load_manifests_file(DATA / "peers-and-or.yaml")
    edges = reachability_matrix(cluster)
    mismatched = [e for e in edges
                  if evaluate(cluster, e.src, e.dst, e.port, e.protocol).allowed != e.allowed]
    assert (len(edges), mismatched) == (15, [])


def test_disabling_a_policy_recomputes_the_matrix() -> None:
    edges = reachability_matrix(bank(), disabled_policies={"bank/teller-calls-ledger"})
    teller_to_ledger = [e for e in edges if str(e.src) == "bank/teller"]
    assert [(e.allowed, e.egress_allowed, e.ingress_allowed) for e in teller_to_ledger] == [
        (False, False, True)]


def test_toggles_switch_a_policy_off_and_back_on() -> None:
    toggles = PolicyToggles(bank())
    states = [toggles.toggle("bank/lockdown"), toggles.evaluate("bank/ledger", "bank/teller",
                                                                7000).allowed]
    states += [toggles.toggle("bank/lockdown"), toggles.matrix()[0].allowed]
    assert states == [False, True, True, False]


def test_toggling_an_unknown_policy_is_refused() -> None:
    with pytest.raises(KeyError):
        PolicyToggles(bank()).toggle("bank/nope")


def test_port_edges_evaluate_an_undeclared_port() -> None:
    cluster = load_manifests_file(DATA / "ports.yaml")
    edges = [e for e in port_edges(cluster, 40000, "UDP") if str(e.dst) == "media/relay"]
    assert {(str(e.src), e.allowed) for e in edges} == {
        ("media/admin", True), ("media/api", True), ("media/ops", True)}


def test_port_edges_by_name_skip_destinations_without_it() -> None:
    cluster = load_manifests_file(DATA / "named-ports.yaml")
    assert {(str(e.dst), e.port) for e in port_edges(cluster, "http")} == {
        ("site/web-blue", 8080), ("site/web-green", 9090)}


# --- claims --------------------------------------------------------------------------------


def test_claim_that_holds() -> None:
    claim = {"from": "bank/teller", "to": "bank/ledger", "port": 5432, "allowed": True}
    holds, verdict = check_claim(bank(), claim)
    assert (holds, verdict.allowed) == (True, True)


def test_claim_that_is_wrong() -> None:
    claim = {"from": "bank/ledger", "to": "bank/teller", "port": 7000, "protocol": "TCP",
             "allowed": True}
    assert check_claim(bank(), claim)[0] is False


def test_claim_with_named_port_and_default_namespace() -> None:
    cluster = load_manifests_file(DATA / "ingress-empty-vs-open.yaml")
    claim = {"from": "visitor", "to": "vault", "port": 8200, "allowed": False}
    holds, verdict = check_claim(cluster, claim)
    assert (holds, str(verdict.dst)) == (True, "default/vault")


def test_claim_about_an_unknown_pod_names_it() -> None:
    claim = {"from": "bank/teller", "to": "bank/ghost", "port": 1, "allowed": True}
    with pytest.raises(UnknownPodError, match="'bank/ghost'"):
        check_claim(bank(), claim)


def test_malformed_claim_is_a_query_error() -> None:
    with pytest.raises(QueryError, match="missing: allowed"):
        check_claim(bank(), {"from": "bank/teller", "to": "bank/ledger", "port": 5432})


def test_claim_with_unknown_protocol_is_a_query_error() -> None:
    claim = {"from": "bank/teller", "to": "bank/ledger", "port": 5432, "protocol": "tcp",
             "allowed": True}
    with pytest.raises(QueryError, match="unknown protocol 'tcp'"):
        check_claim(bank(), claim)


def test_matrix_unions_egress_policies_that_select_overlapping_pods() -> None:
    def pod(name: str, **labels: str) -> dict:
        return {"kind": "Pod", "metadata": {"name": name, "labels": labels},
                "spec": {"containers": [{"name": "c", "ports": [{"containerPort": 80}]}]}}

    def egress_to_sink(name: str, key: str) -> dict:
        return {"kind": "NetworkPolicy", "metadata": {"name": name},
                "spec": {"podSelector": {"matchLabels": {key: "yes"}}, "policyTypes": ["Egress"],
                         "egress": [{"to": [{"podSelector": {"matchLabels": {"sink": "yes"}}}]}]}}

    cluster = cluster_from_objects([
        pod("first", a="yes"), pod("both", a="yes", b="yes"), pod("second", b="yes"),
        pod("sink", sink="yes"), egress_to_sink("via-a", "a"), egress_to_sink("via-b", "b"),
    ])
    into_sink = {str(e.src): e.allowed for e in reachability_matrix(cluster)
                 if str(e.dst) == "default/sink"}
    assert into_sink == {"default/first": True, "default/both": True, "default/second": True}


def test_index_is_built_once_per_cluster_and_freed_with_it() -> None:
    import gc
    import weakref

    from quiz.netpol.index import index_of

    cluster = bank()
    first = index_of(cluster)
    assert index_of(cluster) is first
    assert index_of(bank()) is not first
    # The lab loads a cluster per file opened: a kept index must not keep its cluster alive.
    gone = weakref.ref(cluster)
    del cluster, first
    gc.collect()
    assert gone() is None


def test_alike_pods_that_an_ipblock_tells_apart_are_not_one_class() -> None:
    from quiz.netpol.matrix import class_matrix, per_pod_matrix

    def client(name: str, ip: str) -> dict:
        return {"kind": "Pod", "metadata": {"name": name, "labels": {"app": "client"}},
                "status": {"podIP": ip}}

    cluster = cluster_from_objects([
        client("inside", "10.0.0.5"), client("excepted", "10.0.1.5"), client("twin", "10.0.0.6"),
        {"kind": "Pod", "metadata": {"name": "server", "labels": {"app": "server"}},
         "spec": {"containers": [{"name": "c", "ports": [{"containerPort": 80}]}]}},
        {"kind": "NetworkPolicy", "metadata": {"name": "cidr"}, "spec": {
            "podSelector": {"matchLabels": {"app": "server"}}, "ingress": [{"from": [{"ipBlock": {
                "cidr": "10.0.0.0/16", "except": ["10.0.1.0/24"]}}]}]}},
    ])
    grouped = class_matrix(cluster)
    assert sorted(len(members) for members in grouped.classes) == [1, 1, 2]  # inside+twin
    assert list(grouped.edges()) == per_pod_matrix(cluster)
    allowed = {str(e.src) for e in grouped.edges() if e.allowed}
    assert allowed == {"default/inside", "default/twin"}
