"""Services, PeerAuthentications and DestinationRules in manifests: what is read, and bad values
reported as one line with the file, line and column."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from quiz.netpol import ManifestError, load_manifests_text

PA = """apiVersion: security.istio.io/v1beta1
kind: PeerAuthentication
metadata:
  name: p
  namespace: shop
  creationTimestamp: "2024-05-01T10:00:00Z"
spec:
  selector:
    matchLabels: {app: web}
  mtls: {mode: STRICT}
  portLevelMtls:
    "9090": {mode: DISABLE}
    8080: {}
"""
DR = """apiVersion: networking.istio.io/v1alpha3
kind: DestinationRule
metadata: {name: d, namespace: shop}
spec:
  host: web
  exportTo: [".", "tools"]
  workloadSelector:
    matchLabels: {app: client}
  trafficPolicy:
    tls: {mode: ISTIO_MUTUAL, sni: web.shop}
    portLevelSettings:
      - port: {number: 81}
        tls: {mode: DISABLE}
      - port: {number: 82}
        loadBalancer: {simple: ROUND_ROBIN}
"""
SVC = """apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  type: ClusterIP
  clusterIP: 10.0.0.1
  selector: {app: web}
  ports:
    - {name: http, port: 80, targetPort: http, protocol: TCP}
    - {port: 81, targetPort: "8081"}
    - {port: 82}
"""


def test_the_fields_that_decide_transport_are_read() -> None:
    cluster = load_manifests_text("---\n".join([PA, DR, SVC]))
    (pa,) = cluster.peer_authentications
    assert (pa.key, pa.mode, dict(pa.match_labels or {})) == ("shop/p", "STRICT", {"app": "web"})
    assert pa.port_modes == {9090: "DISABLE", 8080: "UNSET"}
    assert pa.created == datetime(2024, 5, 1, 10, tzinfo=UTC)
    (dr,) = cluster.destination_rules
    assert (dr.fqdn, dr.export_to, dr.tls) == ("web.shop.svc.cluster.local", (".", "tools"),
                                                "ISTIO_MUTUAL")
    assert dr.tls_for(81) == ("DISABLE", True)
    assert dr.tls_for(82) == ("ISTIO_MUTUAL", False)  # a port entry without tls keeps the top
    (svc,) = cluster.services
    assert [(p.port, p.target) for p in svc.ports] == [(80, "http"), (81, 8081), (82, 82)]
    assert "shop" in cluster.namespaces  # implied by the objects in it


def test_a_kubectl_list_of_mesh_objects_loads() -> None:
    text = "apiVersion: v1\nkind: List\nitems:\n" + "".join(
        "- " + doc.replace("\n", "\n  ").rstrip() + "\n" for doc in (PA, DR, SVC))
    cluster = load_manifests_text(text)
    assert len(cluster.services) == len(cluster.destination_rules) == 1


@pytest.mark.parametrize(("text", "old", "new", "line", "message"), [
    ("pa", "{mode: STRICT}", "{mode: strict}", 10, "unknown mTLS mode 'strict'"),
    ("pa", '"9090": {mode: DISABLE}', "abc: {mode: DISABLE}", 12, "must be a port number"),
    ("pa", '"9090": {mode: DISABLE}', "70000: {mode: DISABLE}", 12, "out of range"),
    ("pa", "  mtls: {mode: STRICT}", "  mtls: {mode: STRICT}\n  extra: 1", 11,
     "unknown field 'extra'"),
    ("pa", '"2024-05-01T10:00:00Z"', "yesterday", 6, "not an RFC 3339 time"),
    ("pa", "matchLabels: {app: web}", "matchLabels: {app: 1}", 9, "quote it"),
    ("dr", "{mode: ISTIO_MUTUAL, sni: web.shop}", "{mode: MTLS}", 10, "unknown TLS mode"),
    ("dr", '  exportTo: [".", "tools"]', "  exportTo: tools", 6, "must be a list"),
    ("dr", "  host: web\n", "", 4, "spec.host: is required"),
    ("dr", "{number: 81}", "{number: x}", 12, "must be a port number"),
    ("svc", "targetPort: http,", "targetPort: 'h t',", 9, "invalid port name"),
    ("svc", "{port: 82}", "{port: 0}", 11, "out of range"),
    ("svc", "{port: 82}", "{port: 82, weight: 1}", 11, "unknown field 'weight'"),
])
def test_bad_values_name_file_line_and_column(text: str, old: str, new: str, line: int,
                                             message: str) -> None:
    source = {"pa": PA, "dr": DR, "svc": SVC}[text]
    assert old in source
    with pytest.raises(ManifestError) as caught:
        load_manifests_text(source.replace(old, new, 1), origin="mesh.yaml")
    error = caught.value
    assert str(error).startswith(f"mesh.yaml:{line}:"), str(error)
    assert message in str(error)
    assert "\n" not in str(error)


def test_a_duplicate_is_refused() -> None:
    with pytest.raises(ManifestError, match="duplicate DestinationRule shop/d"):
        load_manifests_text(DR + "---\n" + DR)
