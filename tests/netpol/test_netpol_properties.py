"""Properties over random small clusters: policies only add allows or isolation, the matrix
agrees with single evaluations, and both agree with a naive reading of the docs."""

from __future__ import annotations

import ipaddress
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from quiz.netpol import Verdict, cluster_from_objects, evaluate, reachability_matrix
from quiz.netpol.matrix import class_matrix, per_pod_matrix

NAMESPACES = ("red", "blue")
LABELS = {"app": ("web", "db"), "tier": ("front", "back")}
CONTAINER_PORTS = (
    {"containerPort": 80, "name": "http"},
    {"containerPort": 443},
    {"containerPort": 53, "name": "dns", "protocol": "UDP"},
)
QUERIES = ((80, "TCP"), (443, "TCP"), (53, "UDP"), (8080, "TCP"))
PROPERTY_SETTINGS = settings(max_examples=120, deadline=None, derandomize=True)

labels_st = st.fixed_dictionaries({}, optional={k: st.sampled_from(v) for k, v in LABELS.items()})
expression_st = st.one_of(
    st.builds(lambda k, op, vs: {"key": k, "operator": op, "values": vs},
              st.sampled_from(sorted(LABELS)), st.sampled_from(["In", "NotIn"]),
              st.lists(st.sampled_from(["web", "db", "front", "back"]), min_size=1,
                       max_size=2, unique=True)),
    st.builds(lambda k, op: {"key": k, "operator": op},
              st.sampled_from(sorted(LABELS)), st.sampled_from(["Exists", "DoesNotExist"])),
)
selector_st = st.fixed_dictionaries({}, optional={
    "matchLabels": labels_st, "matchExpressions": st.lists(expression_st, max_size=1)})
ns_selector_st = st.one_of(
    selector_st,
    st.builds(lambda n: {"matchLabels": {"kubernetes.io/metadata.name": n}},
              st.sampled_from(NAMESPACES)),
)
peer_st = st.one_of(
    st.builds(lambda s: {"podSelector": s}, selector_st),
    st.builds(lambda s: {"namespaceSelector": s}, ns_selector_st),
    st.builds(lambda p, n: {"podSelector": p, "namespaceSelector": n}, selector_st, ns_selector_st),
    st.sampled_from([{"ipBlock": {"cidr": "10.0.0.0/16"}},
                     {"ipBlock": {"cidr": "10.0.0.0/16", "except": ["10.0.1.0/24"]}}]),
)
port_st = st.sampled_from([
    {"port": 80}, {"port": "http"}, {"port": 53, "protocol": "UDP"}, {"protocol": "UDP"},
    {"port": "dns", "protocol": "UDP"}, {"port": 80, "endPort": 443}, {"port": "dns"},
])


def rule_st(peer_key: str) -> st.SearchStrategy[dict]:
    return st.fixed_dictionaries({}, optional={peer_key: st.lists(peer_st, max_size=2),
                                               "ports": st.lists(port_st, max_size=2)})


spec_st = st.fixed_dictionaries({"podSelector": selector_st}, optional={
    "policyTypes": st.sampled_from([["Ingress"], ["Egress"], ["Ingress", "Egress"]]),
    "ingress": st.lists(rule_st("from"), max_size=2),
    "egress": st.lists(rule_st("to"), max_size=2),
})


@st.composite
def clusters(draw: st.DrawFn) -> list[dict]:
    objects: list[dict] = []
    if draw(st.booleans()):
        objects += [{"kind": "Namespace", "metadata": {"name": n, "labels": draw(labels_st)}}
                    for n in NAMESPACES]
    for i in range(draw(st.integers(2, 5))):
        pod: dict[str, Any] = {"kind": "Pod", "metadata": {
            "name": f"p{i}", "namespace": draw(st.sampled_from(NAMESPACES)),
            "labels": draw(labels_st)}}
        ports = draw(st.lists(st.sampled_from(CONTAINER_PORTS), max_size=2, unique_by=str))
        pod["spec"] = {"containers": [{"name": "c", "image": "i", "ports": ports}]}
        if draw(st.booleans()):
            pod["status"] = {"podIP": f"10.0.{i % 2}.{i + 1}"}
        objects.append(pod)
    for i in range(draw(st.integers(1, 4))):
        objects.append({"kind": "NetworkPolicy", "spec": draw(spec_st), "metadata": {
            "name": f"np{i}", "namespace": draw(st.sampled_from(NAMESPACES))}})
    return objects


def flows(objects: list[dict]) -> list[tuple[str, str, int, str]]:
    refs = [f"{o['metadata']['namespace']}/{o['metadata']['name']}"
            for o in objects if o["kind"] == "Pod"]
    return [(s, d, port, proto) for s in refs for d in refs if s != d for port, proto in QUERIES]


@PROPERTY_SETTINGS
@given(clusters())
def test_one_more_policy_only_allows_by_its_rules_and_denies_by_isolating(
        objects: list[dict]) -> None:
    cluster = cluster_from_objects(objects)
    newest = cluster.policies[-1].key
    violations = []
    for flow in flows(objects):
        before = evaluate(cluster, *flow, disabled_policies={newest})
        after = evaluate(cluster, *flow)
        by_newest = {r.policy for r in after.egress.matched + after.ingress.matched}
        newly_isolated = ((newest in after.egress.isolated_by and not before.egress.isolated)
                          or (newest in after.ingress.isolated_by and not before.ingress.isolated))
        if not before.allowed and after.allowed and newest not in by_newest:
            violations.append(("allowed without a rule of the new policy", flow))
        if before.allowed and not after.allowed and not newly_isolated:
            violations.append(("denied without new isolation", flow))
    assert violations == []


def _matrix_disagreements(cluster: Any, disabled: set[str]) -> list[Any]:
    """The matrix's edges whose verdict a single evaluation of that flow does not share."""
    return [
        e for e in reachability_matrix(cluster, disabled)
        if evaluate(cluster, e.src, e.dst, e.port, e.protocol,
                    disabled_policies=disabled).allowed != e.allowed
    ]


@PROPERTY_SETTINGS
@given(clusters(), st.sets(st.sampled_from(["red/np0", "blue/np1", "red/np2", "blue/np3"])))
def test_matrix_agrees_with_single_evaluations(objects: list[dict], disabled: set[str]) -> None:
    assert _matrix_disagreements(cluster_from_objects(objects), disabled) == []


@PROPERTY_SETTINGS
@given(clusters())
def test_evaluator_agrees_with_a_naive_reading_of_the_docs(objects: list[dict]) -> None:
    cluster = cluster_from_objects(objects)
    disagreements = [flow for flow in flows(objects)
                     if evaluate(cluster, *flow).allowed != naive_allowed(objects, *flow)]
    assert disagreements == []


def test_verdict_type_is_exported() -> None:
    cluster = cluster_from_objects([{"kind": "Pod", "metadata": {"name": "a"}},
                                    {"kind": "Pod", "metadata": {"name": "b"}}])
    assert isinstance(evaluate(cluster, "a", "b", 1), Verdict)


# --- a deliberately plain re-reading of the docs, over the raw manifests --------------------


def naive_allowed(objects: list[dict], src: str, dst: str, port: int, proto: str) -> bool:
    pods = {f"{o['metadata']['namespace']}/{o['metadata']['name']}": o
            for o in objects if o["kind"] == "Pod"}
    policies = [o for o in objects if o["kind"] == "NetworkPolicy"]
    ns_labels = {n: {"kubernetes.io/metadata.name": n} for n in NAMESPACES}
    for o in objects:
        if o["kind"] == "Namespace":
            ns_labels[o["metadata"]["name"]].update(o["metadata"]["labels"])
    s, d = pods[src], pods[dst]
    return (_side_allows(policies, ns_labels, "Egress", s, d, d, port, proto)
            and _side_allows(policies, ns_labels, "Ingress", d, s, d, port, proto))


def _side_allows(policies: list[dict], ns_labels: dict, kind: str, me: dict, other: dict,
                 dst: dict, port: int, proto: str) -> bool:
    mine = [p for p in policies
            if p["metadata"]["namespace"] == me["metadata"]["namespace"]
            and _selects(p["spec"]["podSelector"], me["metadata"]["labels"])
            and kind in _types(p["spec"])]
    if not mine:
        return True
    field, peer_key = ("egress", "to") if kind == "Egress" else ("ingress", "from")
    for policy in mine:
        for rule in policy["spec"].get(field) or []:
            peers, ports = rule.get(peer_key) or [], rule.get("ports") or []
            peer_ok = not peers or any(_peer_has(policy, peer, other, ns_labels)
                                       for peer in peers)
            port_ok = not ports or any(_port_has(entry, dst, port, proto) for entry in ports)
            if peer_ok and port_ok:
                return True
    return False


def _types(spec: dict) -> list[str]:
    if spec.get("policyTypes"):
        return spec["policyTypes"]
    return ["Ingress", "Egress"] if spec.get("egress") else ["Ingress"]


def _selects(selector: dict, labels: dict) -> bool:
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for expr in selector.get("matchExpressions") or []:
        has, value = expr["key"] in labels, labels.get(expr["key"])
        ok = {"In": has and value in expr.get("values", []),
              "NotIn": not has or value not in expr.get("values", []),
              "Exists": has, "DoesNotExist": not has}[expr["operator"]]
        if not ok:
            return False
    return True


def _peer_has(policy: dict, peer: dict, pod: dict, ns_labels: dict) -> bool:
    if "ipBlock" in peer:
        ip = (pod.get("status") or {}).get("podIP")
        if ip is None:
            return False
        address = ipaddress.ip_address(ip)
        block = peer["ipBlock"]
        return address in ipaddress.ip_network(block["cidr"]) and not any(
            address in ipaddress.ip_network(e) for e in block.get("except", []))
    namespace = pod["metadata"]["namespace"]
    if "namespaceSelector" in peer:
        ns_ok = _selects(peer["namespaceSelector"], ns_labels[namespace])
    else:
        ns_ok = namespace == policy["metadata"]["namespace"]
    return ns_ok and _selects(peer.get("podSelector") or {}, pod["metadata"]["labels"])


def _port_has(entry: dict, dst: dict, port: int, proto: str) -> bool:
    if entry.get("protocol", "TCP") != proto:
        return False
    if "port" not in entry:
        return True
    if isinstance(entry["port"], str):
        declared = [p for c in dst["spec"]["containers"] for p in c.get("ports", [])]
        return any(p.get("name") == entry["port"] and p.get("protocol", "TCP") == proto
                   and p["containerPort"] == port for p in declared)
    return entry["port"] <= port <= entry.get("endPort", entry["port"])



# --- classes of alike pods and ClusterNetworkPolicies ---------------------------------------

CNP_API = "policy.networking.k8s.io/v1alpha2"
cnp_peer_st = st.one_of(
    st.builds(lambda n: {"namespaces": n}, ns_selector_st),
    st.builds(lambda n, p: {"pods": {"namespaceSelector": n, "podSelector": p}},
              ns_selector_st, selector_st),
)
cnp_port_st = st.sampled_from([
    {"tcp": {"destinationPort": {"number": 80}}}, {"udp": {"destinationPort": {"number": 53}}},
    {"tcp": {"destinationPort": {"range": {"start": 80, "end": 443}}}},
    {"destinationNamedPort": "http"}, {"destinationNamedPort": "dns"},
])


def cnp_rule_st(peer_key: str) -> st.SearchStrategy[dict]:
    action = st.sampled_from(["Accept", "Deny", "Pass"])
    rules = st.fixed_dictionaries(
        {"action": action, peer_key: st.lists(cnp_peer_st, min_size=1, max_size=2)},
        optional={"protocols": st.lists(cnp_port_st, min_size=1, max_size=2)})
    if peer_key == "from":
        return rules
    networks = st.fixed_dictionaries(  # no named ports with networks peers (CRD validation)
        {"action": action, "to": st.just([{"networks": ["10.0.1.0/24"]}])},
        optional={"protocols": st.lists(cnp_port_st.filter(lambda p: "tcp" in p or "udp" in p),
                                        min_size=1, max_size=2)})
    return st.one_of(rules, networks)


cnp_spec_st = st.fixed_dictionaries({
    "tier": st.sampled_from(["Admin", "Baseline"]), "priority": st.integers(0, 3),
    "subject": cnp_peer_st,
}, optional={"ingress": st.lists(cnp_rule_st("from"), max_size=2),
             "egress": st.lists(cnp_rule_st("to"), max_size=2)})


@st.composite
def crowded_clusters(draw: st.DrawFn) -> list[dict]:
    """Up to 12 pods drawn from few label sets, so many pods fall into the same class; some
    ClusterNetworkPolicies too."""
    objects = draw(clusters())
    templates = [o for o in objects if o["kind"] == "Pod"]
    for i in range(draw(st.integers(0, 7))):
        twin = dict(draw(st.sampled_from(templates)))
        twin["metadata"] = {**twin["metadata"], "name": f"twin{i}"}
        if draw(st.booleans()):  # alike but for its IP, which an ipBlock may tell apart
            twin["status"] = {"podIP": f"10.0.{draw(st.integers(0, 1))}.{100 + i}"}
        objects.append(twin)
    for i in range(draw(st.integers(0, 3))):
        objects.append({"apiVersion": CNP_API, "kind": "ClusterNetworkPolicy",
                        "metadata": {"name": f"cnp{i}"}, "spec": draw(cnp_spec_st)})
    return objects


CLASS_SETTINGS = settings(max_examples=80, deadline=None, derandomize=True)


@CLASS_SETTINGS
@given(crowded_clusters(), st.sets(st.sampled_from(["red/np0", "blue/np1", "cnp:cnp0"])))
def test_class_grouped_matrix_equals_the_per_pod_matrix(objects: list[dict],
                                                        disabled: set[str]) -> None:
    cluster = cluster_from_objects(objects)
    grouped = class_matrix(cluster, disabled)
    assert list(grouped.edges()) == per_pod_matrix(cluster, disabled)
    edges = per_pod_matrix(cluster, disabled)
    assert grouped.counts() == (sum(e.allowed for e in edges), len(edges))


@CLASS_SETTINGS
@given(crowded_clusters(), st.sets(st.sampled_from(["red/np0", "cnp:cnp0", "cnp:cnp1"])))
def test_matrix_with_cluster_policies_agrees_with_single_evaluations(
        objects: list[dict], disabled: set[str]) -> None:
    assert _matrix_disagreements(cluster_from_objects(objects), disabled) == []
