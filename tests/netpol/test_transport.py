"""The Istio transport evaluator, one rule per test; each docstring names the Istio document
or source file the rule follows (Istio 1.27, sidecar mode)."""

from __future__ import annotations

import pytest

from quiz.netpol import ManifestError, QueryError, load_manifests_text
from quiz.netpol.model import Cluster
from quiz.netpol.transport import client_tls, server_mode, sidecar_of, transports
from quiz.netpol.transport_claims import check_transport_claim


def ns(name: str, **labels: str) -> str:
    body = ", ".join(f'"{k}": "{v}"' for k, v in labels.items())
    return f"apiVersion: v1\nkind: Namespace\nmetadata: {{name: {name}, labels: {{{body}}}}}\n"


def pod(ref: str, app: str, port: int | None = 8080, labels: str = "",
        annotations: str = "") -> str:
    namespace, name = ref.split("/")
    ports = f"\n      ports: [{{containerPort: {port}, name: http}}]" if port else ""
    extra = f", {labels}" if labels else ""
    notes = f"\n  annotations: {{{annotations}}}" if annotations else ""
    return (f"apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\n  namespace: {namespace}\n"
            f"  labels: {{app: {app}{extra}}}{notes}\nspec:\n  containers:\n"
            f"    - name: c\n      image: i{ports}\n")


def svc(ref: str, app: str, port: int = 80, target: int | str = 8080, extra: str = "") -> str:
    namespace, name = ref.split("/")
    return (f"apiVersion: v1\nkind: Service\nmetadata: {{name: {name}, namespace: {namespace}}}\n"
            f"spec:\n  selector: {{app: {app}}}\n{extra}"
            f"  ports: [{{name: http, port: {port}, targetPort: {target}}}]\n")


def pa(ref: str, mode: str | None = None, app: str | None = None, ports: str = "",
       created: str | None = None) -> str:
    namespace, name = ref.split("/")
    meta = f", creationTimestamp: '{created}'" if created else ""
    text = (f"apiVersion: security.istio.io/v1\nkind: PeerAuthentication\n"
            f"metadata: {{name: {name}, namespace: {namespace}{meta}}}\nspec:\n")
    if app:
        text += f"  selector: {{matchLabels: {{app: {app}}}}}\n"
    if mode:
        text += f"  mtls: {{mode: {mode}}}\n"
    if ports:
        text += f"  portLevelMtls: {{{ports}}}\n"
    return text


def dr(ref: str, host: str, mode: str | None = None, export: str | None = None,
       port_level: str = "") -> str:
    namespace, name = ref.split("/")
    text = (f"apiVersion: networking.istio.io/v1\nkind: DestinationRule\n"
            f"metadata: {{name: {name}, namespace: {namespace}}}\nspec:\n  host: \"{host}\"\n")
    if export is not None:
        text += f"  exportTo: {export}\n"
    text += "  trafficPolicy:\n"
    if mode:
        text += f"    tls: {{mode: {mode}}}\n"
    if port_level:
        text += f"    portLevelSettings: {port_level}\n"
    return text


def cluster(*docs: str) -> Cluster:
    return load_manifests_text("---\n".join(docs))


def car(c: Cluster, ref: str) -> bool:
    return sidecar_of(c, c.pod(ref)).present


def outcome(c: Cluster, src: str, dst: str, port: int = 8080) -> str:
    (found,) = transports(c, src, dst, port)
    return found.outcome


MESH = [ns("a", **{"istio-injection": "enabled"}), ns("b", **{"istio-injection": "enabled"}),
        ns("out"), ns("istio-system"),
        pod("a/client", "client"), pod("b/server", "server"), pod("out/plain", "plain"),
        svc("b/server", "server")]


# --- sidecar injection ------------------------------------------------------------------


def test_namespace_label_istio_injection_enabled_injects() -> None:
    """istio.io sidecar-injection ("Automatic sidecar injection"): a namespace labelled
    istio-injection=enabled gets sidecars."""
    c = cluster(ns("a", **{"istio-injection": "enabled"}), pod("a/p", "p"))
    assert car(c, "a/p")
    assert "istio-injection=enabled" in sidecar_of(c, c.pod("a/p")).reason


def test_istio_io_rev_injects_but_istio_injection_wins() -> None:
    """istio.io sidecar-injection ("Controlling the injection policy"): istio.io/rev injects;
    when both labels are set, istio-injection takes precedence."""
    c = cluster(ns("r", **{"istio.io/rev": "canary"}), pod("r/p", "p"),
                ns("d", **{"istio-injection": "disabled", "istio.io/rev": "canary"}),
                pod("d/p", "p"))
    assert car(c, "r/p")
    assert not car(c, "d/p")


def test_pod_label_false_opts_out_of_an_injecting_namespace() -> None:
    """istio.io sidecar-injection: the pod label sidecar.istio.io/inject="false" opts out."""
    c = cluster(ns("a", **{"istio-injection": "enabled"}),
                pod("a/p", "p", labels='sidecar.istio.io/inject: "false"'))
    assert not car(c, "a/p")


def test_pod_label_true_opts_in_only_where_the_namespace_has_no_label() -> None:
    """istio.io sidecar-injection table: pod label "true" injects in an unlabelled namespace;
    a namespace with istio-injection=disabled wins over it."""
    c = cluster(ns("plain"), pod("plain/p", "p", labels='sidecar.istio.io/inject: "true"'),
                ns("closed", **{"istio-injection": "disabled"}),
                pod("closed/p", "p", labels='sidecar.istio.io/inject: "true"'))
    assert car(c, "plain/p")
    assert not car(c, "closed/p")


def test_the_deprecated_annotation_never_opts_in_and_is_noted() -> None:
    """pkg/kube/inject/webhook.go injectRequired reads the annotation only once the webhook is
    called, which the namespace or pod *label* decides; istio.io marks the annotation
    deprecated."""
    c = cluster(ns("plain"), pod("plain/p", "p", annotations='sidecar.istio.io/inject: "true"'),
                ns("a", **{"istio-injection": "enabled"}),
                pod("a/q", "q", annotations='sidecar.istio.io/inject: "false"'))
    verdict = sidecar_of(c, c.pod("plain/p"))
    assert not verdict.present
    assert any("deprecated" in note for note in verdict.notes)
    assert not car(c, "a/q")  # in an injecting namespace the injector still honours "false"


def test_kube_system_is_never_injected() -> None:
    """pkg/kube/inject: the injector's ignored namespaces (kube-system, kube-public)."""
    c = cluster(ns("kube-system", **{"istio-injection": "enabled"}), pod("kube-system/p", "p"))
    assert not car(c, "kube-system/p")


# --- PeerAuthentication --------------------------------------------------------------------


def mode(c: Cluster, ref: str = "b/server", port: int = 8080, **kw: object) -> str:
    return server_mode(c, c.pod(ref), port, **kw)[0]  # type: ignore[arg-type]


def test_no_policy_means_permissive() -> None:
    """policy_applier.go ComposePeerAuthentication: the output starts as PERMISSIVE."""
    assert mode(cluster(*MESH)) == "PERMISSIVE"


def test_workload_beats_namespace_beats_mesh() -> None:
    """istio.io/latest/docs/concepts/security/#peer-authentication ("narrowest matching policy")
    and ComposePeerAuthentication: workload > namespace > mesh."""
    c = cluster(*MESH, pa("istio-system/default", "STRICT"))
    assert mode(c) == "STRICT"
    c = cluster(*MESH, pa("istio-system/default", "STRICT"), pa("b/default", "PERMISSIVE"))
    assert mode(c) == "PERMISSIVE"
    c = cluster(*MESH, pa("istio-system/default", "STRICT"), pa("b/default", "PERMISSIVE"),
                pa("b/server", "DISABLE", app="server"))
    assert mode(c) == "DISABLE"


def test_unset_inherits_from_the_parent_scope() -> None:
    """ComposePeerAuthentication: UNSET is replaced by the parent's setting."""
    c = cluster(*MESH, pa("istio-system/default", "STRICT"), pa("b/default", "UNSET"),
                pa("b/server", None, app="server"))
    assert mode(c) == "STRICT"


def test_selector_policies_in_the_root_namespace_are_ignored() -> None:
    """ComposePeerAuthentication: workload-level configs in the root namespace are ignored."""
    c = cluster(ns("istio-system"), pod("istio-system/gw", "gw"),
                pa("istio-system/gw", "STRICT", app="gw"))
    found, reasons = server_mode(c, c.pod("istio-system/gw"), 8080)
    assert found == "PERMISSIVE"
    assert any("ignored" in r for r in reasons)


def test_the_root_namespace_can_be_configured() -> None:
    """istio.io PeerAuthentication reference: mesh policies live in the root namespace
    (meshConfig.rootNamespace, istio-system by default)."""
    c = cluster(*MESH, ns("mesh-root"), pa("mesh-root/default", "STRICT"))
    assert mode(c) == "PERMISSIVE"
    assert mode(c, root_namespace="mesh-root") == "STRICT"


def test_port_level_mtls_is_keyed_by_the_container_port_without_a_service() -> None:
    """istio.io PeerAuthentication reference ("the port value refers to the port of the
    workload, not of the Kubernetes service") and ComposePeerAuthentication's PerPort since
    1.9: applied whether or not a Service exposes the port."""
    c = cluster(*MESH, pa("b/default", "STRICT"),
                pa("b/server", "UNSET", app="server", ports="9090: {mode: PERMISSIVE}"))
    assert mode(c, port=9090) == "PERMISSIVE"  # no Service exposes 9090
    assert mode(c, port=8080) == "STRICT"      # UNSET inherits the namespace


def test_port_level_mtls_by_service_port_does_not_apply() -> None:
    """The key is the container port: a key equal to the Service port (80) changes nothing."""
    c = cluster(*MESH, pa("b/default", "STRICT"),
                pa("b/server", "UNSET", app="server", ports="80: {mode: DISABLE}"))
    assert outcome(c, "out/plain", "b/server") == "rejected"


def test_port_level_mtls_only_on_selector_policies() -> None:
    """ComposePeerAuthentication reads PortLevelMtls of the workload policy only."""
    c = cluster(*MESH, pa("b/default", "STRICT", ports="8080: {mode: DISABLE}"))
    found, reasons = server_mode(c, c.pod("b/server"), 8080)
    assert found == "STRICT"
    assert any("portLevelMtls of b/default is ignored" in r for r in reasons)


def test_ties_oldest_then_name_second_namespace_policy_ignored() -> None:
    """ComposePeerAuthentication: the oldest policy of a scope wins; push_context.go sorts by
    creation time, then name, then namespace. The other namespace-level policy is ignored."""
    c = cluster(*MESH, pa("b/zzz", "STRICT", created="2024-01-01T00:00:00Z"),
                pa("b/aaa", "DISABLE", created="2025-01-01T00:00:00Z"))
    found, reasons = server_mode(c, c.pod("b/server"), 8080)
    assert found == "STRICT"
    assert any("b/aaa is ignored" in r for r in reasons)
    c = cluster(*MESH, pa("b/zzz", "STRICT"), pa("b/aaa", "DISABLE"))  # same (zero) time
    assert mode(c) == "DISABLE"


# --- outcomes --------------------------------------------------------------------------------


def test_strict_refuses_plaintext_and_permissive_accepts_it() -> None:
    """istio.io/latest/docs/tasks/security/authentication/mtls-migration: STRICT refuses
    clients without a sidecar; PERMISSIVE accepts both."""
    assert outcome(cluster(*MESH, pa("b/default", "STRICT")), "out/plain", "b/server") \
        == "rejected"
    assert outcome(cluster(*MESH), "out/plain", "b/server") == "plaintext"
    assert outcome(cluster(*MESH, pa("b/default", "STRICT")), "a/client", "b/server") == "mtls"


def test_auto_mtls_sends_mtls_to_sidecars_and_plaintext_to_the_rest() -> None:
    """istio.io authn-policy task, "Auto mutual TLS": a client sidecar sends mTLS to servers
    with a sidecar, plaintext to servers without one and to a server that DISABLEs mTLS."""
    c = cluster(*MESH, svc("out/plain", "plain"))
    assert outcome(c, "a/client", "b/server") == "mtls"
    assert outcome(c, "a/client", "out/plain") == "plaintext"
    c = cluster(*MESH, pa("b/default", "DISABLE"))
    assert outcome(c, "a/client", "b/server") == "plaintext"


def test_forced_mtls_to_a_server_without_sidecar_or_with_disable_fails() -> None:
    """istio.io DestinationRule reference, ClientTLSSettings ISTIO_MUTUAL: the client sidecar
    originates Istio mTLS, which a server without a sidecar or with DISABLE cannot accept."""
    c = cluster(*MESH, svc("out/plain", "plain"), dr("a/to-plain", "plain.out.svc.cluster.local",
                                                     "ISTIO_MUTUAL"))
    assert outcome(c, "a/client", "out/plain") == "rejected"
    c = cluster(*MESH, pa("b/default", "DISABLE"), dr("b/server", "server", "ISTIO_MUTUAL"))
    assert outcome(c, "a/client", "b/server") == "rejected"


def test_a_client_without_sidecar_ignores_destination_rules() -> None:
    """DestinationRules configure the client's Envoy: a pod without one sends plaintext."""
    c = cluster(*MESH, dr("b/server", "server", "ISTIO_MUTUAL"))
    assert outcome(c, "out/plain", "b/server") == "plaintext"


# --- DestinationRule lookup -----------------------------------------------------------------


def tls(c: Cluster, src: str = "a/client", service: str = "b/server", port: int = 80) -> str:
    from quiz.netpol.transport_claims import find_service

    rule, found, _ = client_tls(c, c.pod(src), find_service(c, service), port)
    return f"{rule.key if rule else None}:{found}"


def test_client_namespace_then_service_namespace_then_root() -> None:
    """push_context.go destinationRule: the client's namespace first, then the service's
    namespace, then the root namespace; the first namespace with a matching host wins."""
    root = dr("istio-system/r", "*.b.svc.cluster.local", "DISABLE")
    in_b = dr("b/s", "server", "ISTIO_MUTUAL")
    in_a = dr("a/c", "server.b.svc.cluster.local", "DISABLE")
    assert tls(cluster(*MESH, root)) == "istio-system/r:DISABLE"
    assert tls(cluster(*MESH, root, in_b)) == "b/s:ISTIO_MUTUAL"
    assert tls(cluster(*MESH, root, in_b, in_a)) == "a/c:DISABLE"


def test_export_to_hides_a_rule_from_other_namespaces() -> None:
    """istio.io DestinationRule reference, exportTo: "." keeps a rule in its namespace, a list
    names the namespaces that see it, "~" hides it; push_context.go setDestinationRules."""
    assert tls(cluster(*MESH, dr("b/s", "server", "DISABLE", export='["."]'))) == "None:None"
    assert tls(cluster(*MESH, dr("b/s", "server", "DISABLE", export='["a"]'))) == "b/s:DISABLE"
    assert tls(cluster(*MESH, dr("b/s", "server", "DISABLE", export='["~"]'))) == "None:None"
    c = cluster(*MESH, pod("b/local", "local"), dr("b/s", "server", "DISABLE", export='["."]'))
    assert tls(c, "b/local") == "b/s:DISABLE"


def test_a_short_host_with_a_dot_is_not_resolved() -> None:
    """ResolveShortnameToFQDN (pilot/pkg/model/config.go): only a name without dots is made
    relative to the rule's namespace; "server.b" names no Service."""
    assert tls(cluster(*MESH, dr("b/s", "server.b", "DISABLE"))) == "None:None"


def test_port_level_settings_are_keyed_by_the_service_port() -> None:
    """istio.io DestinationRule reference, PortTrafficPolicy: the port number on the destination
    service; a port-level tls overrides the top-level one."""
    level = "[{port: {number: 80}, tls: {mode: DISABLE}}]"
    c = cluster(*MESH, pa("b/default", "STRICT"),
                dr("b/s", "server", "ISTIO_MUTUAL", port_level=level))
    assert outcome(c, "a/client", "b/server") == "rejected"
    level = "[{port: {number: 8080}, tls: {mode: DISABLE}}]"  # the container port: no effect
    c = cluster(*MESH, pa("b/default", "STRICT"),
                dr("b/s", "server", "ISTIO_MUTUAL", port_level=level))
    assert outcome(c, "a/client", "b/server") == "mtls"


def test_a_rule_without_tls_leaves_auto_mtls() -> None:
    """cluster_builder.go buildAutoMtlsSettings: no TLS settings in the rule, auto mTLS decides."""
    c = cluster(*MESH, pa("b/default", "STRICT"), dr("b/s", "server"))
    assert outcome(c, "a/client", "b/server") == "mtls"


def rule(ref: str, host: str, created: str, *, export: str | None = None,
         selector: str | None = None, policy: str | None = None) -> str:
    """A DestinationRule with a creation time, and optionally exportTo, a workloadSelector
    (``key: value``) and a top-level trafficPolicy (a YAML flow mapping); always one subset."""
    namespace, name = ref.split("/")
    text = (f"apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: "
            f"{{name: {name}, namespace: {namespace}, creationTimestamp: '{created}'}}\n"
            f"spec:\n  host: \"{host}\"\n  subsets: [{{name: {name}, labels: {{v: {name}}}}}]\n")
    if export is not None:
        text += f"  exportTo: {export}\n"
    if selector is not None:
        text += f"  workloadSelector: {{matchLabels: {{{selector}}}}}\n"
    if policy is not None:
        text += f"  trafficPolicy: {policy}\n"
    return text


OLD, NEW = "2025-01-01T00:00:00Z", "2025-06-01T00:00:00Z"
DISABLE = "{tls: {mode: DISABLE}}"
MUTUAL = "{tls: {mode: ISTIO_MUTUAL}}"
HOST = "server.b.svc.cluster.local"
MESH_C = [*MESH, ns("c", **{"istio-injection": "enabled"}), pod("c/client", "client")]


def test_two_rules_for_one_host_merge_and_a_missing_traffic_policy_is_filled() -> None:
    """mergeDestinationRule (pilot/pkg/model/destination_rule.go): rules for the same host in
    one namespace are merged; only when the older rule has no top-level trafficPolicy does the
    newer rule's (with its portLevelSettings) fill it; otherwise the older one's stays."""
    subsets_only = rule("b/old", "server", OLD)
    c = cluster(*MESH, subsets_only, rule("b/new", "server", NEW, policy=DISABLE))
    assert tls(c) == "b/new:DISABLE"
    assert outcome(c, "a/client", "b/server") == "plaintext"  # auto mTLS would say mtls
    (found,) = transports(c, "a/client", "b/server", 8080)
    assert any("b/old + b/new merged" in r and "b/new's is used" in r for r in found.reasons)
    level = "{portLevelSettings: [{port: {number: 80}, tls: {mode: DISABLE}}]}"
    c = cluster(*MESH, subsets_only, rule("b/new", "server", NEW, policy=level))
    assert tls(c) == "b/new:DISABLE"
    balance = "{loadBalancer: {simple: ROUND_ROBIN}}"  # a trafficPolicy without tls
    c = cluster(*MESH, rule("b/old", "server", OLD, policy=balance),
                rule("b/new", "server", NEW, policy=DISABLE))
    assert tls(c) == "b/old:None"
    c = cluster(*MESH, rule("b/old", "server", OLD, policy=MUTUAL),
                rule("b/new", "server", NEW, policy=DISABLE))
    assert tls(c) == "b/old:ISTIO_MUTUAL"
    (found,) = transports(c, "a/client", "b/server", 8080)
    assert any("trafficPolicy of b/new is ignored" in r for r in found.reasons)


def test_rules_merge_only_where_export_to_allows() -> None:
    """mergeDestinationRule with ENABLE_ENHANCED_DESTINATIONRULE_MERGE (on by default in
    pilot/pkg/features/experimental.go): rules with different exportTo stay apart, and the
    sidecar then takes the last one without a selector (SidecarScope.DestinationRule); a
    newer rule whose exportTo is a superset is merged into the older one, and is not kept on
    its own, so it reaches no namespace beyond the older rule's exportTo."""
    c = cluster(*MESH_C, rule("b/old", "server", OLD, export='["*"]', policy=MUTUAL),
                rule("b/new", "server", NEW, export='["*"]', policy=DISABLE))
    assert tls(c) == "b/old:ISTIO_MUTUAL"  # same exportTo: merged, the oldest policy wins
    c = cluster(*MESH_C, rule("b/old", "server", OLD, export='["*"]', policy=MUTUAL),
                rule("b/new", "server", NEW, export='["a"]', policy=DISABLE))
    assert tls(c) == "b/new:DISABLE"  # apart: a sees both, the last one applies
    assert tls(c, "c/client") == "b/old:ISTIO_MUTUAL"
    c = cluster(*MESH_C, rule("b/old", "server", OLD, export='["a"]'),
                rule("b/new", "server", NEW, export='["a", "c"]', policy=DISABLE))
    assert tls(c) == "b/new:DISABLE"
    assert tls(c, "c/client") == "None:None"
    (found,) = transports(c, "c/client", "b/server", 8080)
    assert any("not exported to c" in r for r in found.reasons)


def test_rules_merge_only_where_workload_selectors_allow() -> None:
    """mergeDestinationRule: two rules with different workloadSelectors stay apart and each
    selects its own clients; a rule without a selector and exportTo "." is merged into a
    selector rule of the same namespace and host (both export only to "."), so a client the
    selector does not pick gets no DestinationRule at all (SidecarScope.DestinationRule)."""
    docs = [*MESH, pod("a/other", "other")]
    c = cluster(*docs, rule("a/one", HOST, OLD, selector="app: client", policy=MUTUAL),
                rule("a/two", HOST, NEW, selector="app: other", policy=DISABLE))
    assert tls(c) == "a/one:ISTIO_MUTUAL"
    assert tls(c, "a/other") == "a/two:DISABLE"
    c = cluster(*docs, rule("a/one", HOST, OLD, selector="app: client", policy=MUTUAL),
                rule("a/all", HOST, NEW, export='["."]', policy=DISABLE))
    assert tls(c) == "a/one:ISTIO_MUTUAL"
    assert tls(c, "a/other") == "None:None"
    c = cluster(*docs, rule("a/one", HOST, OLD, selector="app: client", policy=MUTUAL),
                rule("a/all", HOST, NEW, policy=DISABLE))  # exportTo differs: kept apart
    assert tls(c, "a/other") == "a/all:DISABLE"


def test_the_most_specific_host_is_taken_before_export_to_is_checked() -> None:
    """getExportedDestinationRuleFromNamespace (pilot/pkg/model/push_context.go): in the
    Service's and the root namespace the most specific matching host is chosen first; if that
    rule is not exported to the client, Istio moves on to the next namespace instead of
    taking a less specific rule that is exported."""
    hidden = rule("b/only-c", "server", OLD, export='["c"]', policy=DISABLE)
    wide = rule("b/wide", "*.b.svc.cluster.local", OLD, policy=DISABLE)
    c = cluster(*MESH_C, hidden, wide)
    assert tls(c) == "None:None"
    assert outcome(c, "a/client", "b/server") == "mtls"  # auto mTLS, not b/wide's DISABLE
    assert tls(c, "c/client") == "b/only-c:DISABLE"
    c = cluster(*MESH_C, hidden, wide, rule("istio-system/mesh", "*.local", OLD, policy=MUTUAL))
    assert tls(c) == "istio-system/mesh:ISTIO_MUTUAL"
    (found,) = transports(c, "a/client", "b/server", 8080)
    assert any("b/only-c" in r and "not exported to a" in r for r in found.reasons)


def test_a_selector_rule_in_the_client_namespace_shadows_other_namespaces() -> None:
    """PushContext.destinationRule returns the client namespace's closest match before the
    workloadSelector is checked (SidecarScope.DestinationRule): a rule there for other
    workloads leaves the client with no rule, not with the Service namespace's."""
    c = cluster(*MESH, rule("a/others", HOST, OLD, selector="app: other", policy=MUTUAL),
                rule("b/s", "server", OLD, policy=DISABLE))
    assert tls(c) == "None:None"
    (found,) = transports(c, "a/client", "b/server", 8080)
    assert any("does not select a/client" in r for r in found.reasons)


def test_a_client_in_the_root_namespace_sees_only_private_root_rules_first() -> None:
    """PushContext.destinationRule: a proxy in the root namespace first looks only at the
    root namespace's private rules, then the Service's namespace, then exported root rules."""
    docs = [*MESH, pod("istio-system/tool", "tool", labels='"sidecar.istio.io/inject": "true"')]
    mesh_rule = rule("istio-system/mesh", "*.local", OLD, policy=DISABLE)
    c = cluster(*docs, mesh_rule, rule("b/s", "server", OLD, policy=MUTUAL))
    assert tls(c, "istio-system/tool") == "b/s:ISTIO_MUTUAL"
    c = cluster(*docs, mesh_rule, rule("b/s", "server", OLD, policy=MUTUAL),
                rule("istio-system/own", "*.local", NEW, export='["."]', policy=DISABLE))
    assert tls(c, "istio-system/tool") == "istio-system/own:DISABLE"


# --- out of scope ----------------------------------------------------------------------------


def test_out_of_scope_is_not_evaluated() -> None:
    """SIMPLE/MUTUAL client TLS, pod IPs dialled directly, headless Services and ambient
    mode are outside this evaluator: it says so instead of guessing."""
    assert outcome(cluster(*MESH, dr("b/s", "server", "SIMPLE")), "a/client", "b/server") \
        == "not evaluated"
    c = cluster(*MESH[:-1])  # no Service at all
    (found,) = transports(c, "a/client", "b/server", 8080)
    assert found.outcome == "not evaluated" and "pod IP" in found.reasons[0]
    c = cluster(*MESH[:-1], svc("b/server", "server", extra="  clusterIP: None\n"))
    assert outcome(c, "a/client", "b/server") == "not evaluated"
    c = cluster(ns("amb", **{"istio.io/dataplane-mode": "ambient"}), pod("amb/p", "p"), *MESH)
    assert outcome(c, "amb/p", "b/server") == "not evaluated"


# --- manifests and claims --------------------------------------------------------------------


def test_a_bad_mode_is_reported_with_line_and_column() -> None:
    text = "---\n".join([*MESH, pa("b/default", "STRICTLY")])
    with pytest.raises(ManifestError) as err:
        load_manifests_text(text, origin="mesh.yaml")
    assert str(err.value).startswith("mesh.yaml:")
    assert err.value.line is not None and "STRICTLY" in str(err.value)


def test_a_wrong_api_version_is_refused() -> None:
    text = pa("b/default", "STRICT").replace("security.istio.io/v1", "security.istio.io/v9")
    with pytest.raises(ManifestError, match="unsupported apiVersion"):
        load_manifests_text(text)


def test_transport_claims_hold_fail_and_explain() -> None:
    c = cluster(*MESH, pa("b/default", "STRICT"))
    holds, check = check_transport_claim(
        c, {"from": "out/plain", "to": "b/server", "port": 80, "expected": "rejected"})
    assert holds
    holds, check = check_transport_claim(
        c, {"from": "out/plain", "to": "b/server", "port": "http", "expected": "plaintext"})
    assert not holds
    assert "STRICT refuses plaintext" in check.explain()
    with pytest.raises(QueryError, match="unknown Service"):
        check_transport_claim(c, {"from": "a/client", "to": "b/nope", "port": 80,
                                  "expected": "mtls"})
    with pytest.raises(QueryError, match="expected"):
        check_transport_claim(c, {"from": "a/client", "to": "b/server", "port": 80,
                                  "expected": "tls"})


def test_a_flow_networkpolicy_denies_satisfies_no_transport_claim() -> None:
    deny = ("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: d, "
            "namespace: b}\nspec:\n  podSelector: {}\n  policyTypes: [Ingress]\n")
    c = cluster(*MESH, deny)
    for expected in ("mtls", "plaintext", "rejected"):
        holds, check = check_transport_claim(
            c, {"from": "a/client", "to": "b/server", "port": 80, "expected": expected})
        assert not holds
        assert "denied by NetworkPolicy" in check.explain()[0]
