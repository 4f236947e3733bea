"""Loading manifests: kubectl output, streams, inline objects, and one clear error per fault."""

from __future__ import annotations

from pathlib import Path

import pytest

from quiz.netpol import (
    ManifestError,
    PodRef,
    StreamLocator,
    cluster_from_objects,
    evaluate,
    load_manifests_file,
    load_manifests_text,
)

DATA = Path(__file__).parent.parent / "data" / "netpol"
BAD = DATA / "bad"


def test_kubectl_get_list_output_loads_as_is() -> None:
    cluster = load_manifests_file(DATA / "kubectl-get.yaml")
    assert ([str(p.ref) for p in cluster.pods], [p.key for p in cluster.policies]) == (
        ["default/curl", "store/checkout-7d9f8b6c5-x2x9q"], ["store/checkout-from-prod"])


def test_kubectl_get_list_output_is_evaluated() -> None:
    cluster = load_manifests_file(DATA / "kubectl-get.yaml")
    v = evaluate(cluster, "default/curl", "store/checkout-7d9f8b6c5-x2x9q", "http")
    assert (v.allowed, v.port) == (False, 8080)


def test_multi_document_stream_with_empty_document_and_typed_list() -> None:
    cluster = load_manifests_file(DATA / "multi-doc.yaml")
    assert [p.ref for p in cluster.pods] == [PodRef("default", "alpha"), PodRef("default", "beta")]


def test_declared_namespace_gets_the_metadata_name_label() -> None:
    cluster = load_manifests_file(DATA / "namespace-names.yaml")
    assert dict(cluster.namespaces["payments"].labels) == {
        "team": "money", "kubernetes.io/metadata.name": "payments"}


def test_implied_namespace_has_only_the_metadata_name_label() -> None:
    cluster = load_manifests_file(DATA / "namespace-names.yaml")
    ns = cluster.namespaces["tools"]
    assert (dict(ns.labels), ns.declared) == ({"kubernetes.io/metadata.name": "tools"}, False)


def test_pod_ports_default_to_tcp() -> None:
    cluster = load_manifests_file(DATA / "named-ports.yaml")
    assert [(p.number, p.protocol, p.name) for p in cluster.pod("site/web-green").ports] == [
        (9090, "TCP", "http")]


def test_inline_objects_build_a_cluster() -> None:
    cluster = cluster_from_objects([
        {"kind": "Pod", "metadata": {"name": "a", "namespace": "x"}},
        {"kind": "Pod", "metadata": {"name": "b", "namespace": "x"}},
        {"kind": "NetworkPolicy", "metadata": {"name": "shut", "namespace": "x"},
         "spec": {"podSelector": {}}},
    ], origin="question q1")
    v = evaluate(cluster, "x/a", "x/b", 80)
    assert (v.allowed, v.ingress.isolated_by) == (False, ("x/shut",))


BAD_CASES = [
    # file, line, col, what the message must say
    ("workload-without-template.yaml", 5, 1, "spec.template: is required"),
    ("bad-operator.yaml", 8, 19, "invalid operator 'Equals'"),
    ("in-without-values.yaml", 10, 39, "operator NotIn needs a non-empty 'values' list"),
    ("exists-with-values.yaml", 9, 9, "operator Exists takes no 'values'"),
    ("undeclared-namespace.yaml", 9, 14, "namespace 'shopp' has no Namespace object"),
    ("yaml-syntax.yaml", 5, 21, "YAML syntax error"),
    ("not-a-mapping.yaml", 5, 1, "a manifest must be a mapping"),
    ("missing-name.yaml", 3, 1, "metadata.name: is required"),
    ("port-as-string.yaml", 8, 17, "invalid port name '8080'"),
    ("port-as-boolean.yaml", 9, 26,
     "containerPort: must be a port number (a whole number 1-65535), not the boolean true"),
    # a float says what it is, not "must be a port number, not a number"
    ("port-as-decimal.yaml", 9, 26,
     "containerPort: must be a port number (a whole number 1-65535), not the decimal "
     "number 80.5"),
    ("port-as-whole-decimal.yaml", 9, 26, "not the decimal number 80.0"),
    ("bad-cidr.yaml", 9, 19, "invalid CIDR '10.300.0.0/16'"),
    ("except-outside.yaml", 12, 17, "except entry 10.1.0.0/24 must be a smaller range inside"),
    ("endport-named.yaml", 9, 20, "endPort needs a numeric port"),
    ("unknown-field.yaml", 6, 3, "unknown field 'ingres'"),
    ("label-number.yaml", 6, 14, "label value must be a string"),
    ("empty-peer.yaml", 8, 11, "must specify a peer"),
    ("duplicate-pod.yaml", 5, 50, "duplicate Pod default/twin"),
]


@pytest.mark.parametrize(("name", "line", "col", "fragment"), BAD_CASES,
                         ids=[case[0] for case in BAD_CASES])
def test_bad_manifest_is_one_positioned_error(name: str, line: int, col: int,
                                              fragment: str) -> None:
    path = BAD / name
    with pytest.raises(ManifestError) as caught:
        load_manifests_file(path)
    where, _, message = str(caught.value).partition(": ")
    assert (where, fragment in message) == (f"{path}:{line}:{col}", True), str(caught.value)


def test_every_bad_fixture_is_covered() -> None:
    assert sorted(p.name for p in BAD.glob("*.yaml")) == sorted(c[0] for c in BAD_CASES)


def test_manifest_error_exposes_its_parts() -> None:
    with pytest.raises(ManifestError) as caught:
        load_manifests_file(BAD / "bad-operator.yaml")
    err = caught.value
    assert (err.path, err.line, err.col, err.loc[-1]) == (
        str(BAD / "bad-operator.yaml"), 8, 19, "operator")


def test_missing_file_is_a_manifest_error() -> None:
    with pytest.raises(ManifestError, match=r"nowhere\.yaml: cannot read file"):
        load_manifests_file(DATA / "nowhere.yaml")


def test_inline_error_without_positions_names_object_and_field() -> None:
    objects = [
        {"kind": "Pod", "metadata": {"name": "ok"}},
        {"kind": "NetworkPolicy", "metadata": {"name": "np"},
         "spec": {"podSelector": {"matchExpressions": [{"key": "a", "operator": "In"}]}}},
    ]
    with pytest.raises(ManifestError) as caught:
        cluster_from_objects(objects, origin="bank/netpol.yaml q7")
    assert str(caught.value) == (
        "bank/netpol.yaml q7: object 1: NetworkPolicy default/np: "
        "spec.podSelector.matchExpressions[0].operator: "
        "operator In needs a non-empty 'values' list")


def test_inline_error_uses_the_locate_callback() -> None:
    asked: list[tuple] = []

    def locate(loc: tuple) -> tuple[int, int]:
        asked.append(loc)
        return 40 + int(loc[0]), 9

    with pytest.raises(ManifestError) as caught:
        cluster_from_objects([{"kind": 7, "metadata": {"name": "s"}}],
                             origin="bank.yaml", locate=locate)
    assert (str(caught.value).split(": ")[0], asked) == ("bank.yaml:40:9", [(0, "kind")])


def test_stream_locator_points_into_the_right_document() -> None:
    text = "kind: Pod\n---\nkind: NetworkPolicy\nspec:\n  podSelector: {}\n"
    assert StreamLocator(text)((1, "spec", "podSelector")) == (5, 3)


def test_policy_without_namespace_objects_is_fine() -> None:
    cluster = load_manifests_text(
        "kind: NetworkPolicy\napiVersion: networking.k8s.io/v1\n"
        "metadata: {name: p, namespace: solo}\nspec: {podSelector: {}}\n")
    assert [ns.name for ns in cluster.namespaces.values()] == ["solo"]


def test_wrong_api_version_is_rejected() -> None:
    with pytest.raises(ManifestError, match=r"^<m>:1:13: .*unsupported apiVersion"):
        load_manifests_text("apiVersion: extensions/v1beta1\nkind: NetworkPolicy\n"
                            "metadata: {name: old}\n", origin="<m>")
