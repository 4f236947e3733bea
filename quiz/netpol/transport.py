"""How a connection through a Service arrives under Istio in sidecar mode: ``mtls``,
``plaintext``, ``rejected`` or ``not evaluated``, with the chain of reasons.

Follows Istio 1.27 (the current 1.2x release), sidecar mode only:

- sidecar injection as the injection webhook decides it (istio.io "Installing the sidecar",
  "Controlling the injection policy"; pkg/kube/inject/webhook.go ``injectRequired``);
- the server's effective PeerAuthentication as ``ComposePeerAuthentication`` in
  pilot/pkg/security/authn/policy_applier.go composes it (workload > namespace > mesh >
  PERMISSIVE, UNSET inherits, ``portLevelMtls`` by container port on selector policies only,
  the oldest policy of a scope wins);
- the client's DestinationRule as ``PushContext.destinationRule`` in pilot/pkg/model/
  push_context.go finds it (client namespace, the service's namespace, the root namespace;
  in each the most specific host first, then ``exportTo``), rules for one host merged as
  ``mergeDestinationRule`` (destination_rule.go) merges them and the workloadSelector checked
  by ``SidecarScope.DestinationRule`` (sidecar.go), else auto mTLS (istio.io "Mutual TLS
  Migration", "Auto mutual TLS").

Out of scope, reported as ``not evaluated``: SIMPLE/MUTUAL client TLS, traffic dialled to a pod
IP (it bypasses the Service's cluster), headless Services, protocols other than TCP, ambient.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from quiz.netpol.mesh_objects import (
    INJECT_ANNOTATION,
    DestinationRule,
    MtlsMode,
    PeerAuthentication,
    Service,
    ServicePort,
    TlsMode,
)
from quiz.netpol.model import Cluster, Pod, PodRef

Outcome = Literal["mtls", "plaintext", "rejected", "not evaluated"]
OUTCOMES: tuple[Outcome, ...] = ("mtls", "plaintext", "rejected", "not evaluated")
ROOT_NAMESPACE = "istio-system"  # meshConfig.rootNamespace unless configured
ISTIO_VERSION = "1.27"
INJECT_LABEL = "sidecar.istio.io/inject"
AMBIENT_LABEL = "istio.io/dataplane-mode"
_TRUE_WORDS = ("y", "yes", "true", "on")  # what injectRequired reads as "inject"
_IGNORED_NAMESPACES = ("kube-system", "kube-public")  # the injector never injects there


def mesh_key(obj: PeerAuthentication | DestinationRule) -> str:
    """How a mesh object is toggled in the lab: ``PeerAuthentication ns/name``."""
    return f"{type(obj).__name__} {obj.key}"


@dataclass(frozen=True)
class Sidecar:
    """Whether a pod runs an Envoy sidecar, and why."""

    present: bool
    reason: str
    notes: tuple[str, ...] = ()
    ambient: bool = False


@dataclass(frozen=True)
class Transport:
    """How ``client`` → ``service``:``service_port`` → ``server``:``port`` arrives."""

    client: PodRef
    server: PodRef
    port: int
    service: str | None
    service_port: int | None
    outcome: Outcome
    reasons: tuple[str, ...]

    def explain(self) -> list[str]:
        """The outcome first, then the reasons."""
        via = f" via {self.service}:{self.service_port}" if self.service else ""
        head = f"{self.client} -> {self.server}:{self.port}{via}: {self.outcome}"
        return [head, *self.reasons]

    def as_record(self) -> dict[str, object]:
        """JSON-friendly: service, service_port, outcome, reasons."""
        return {"service": self.service, "service_port": self.service_port,
                "outcome": self.outcome, "reasons": list(self.reasons)}


def sidecar_of(cluster: Cluster, pod: Pod) -> Sidecar:
    """Whether the injection webhook gives ``pod`` a sidecar.

    The namespace label ``istio-injection`` wins over ``istio.io/rev``; in an injecting
    namespace a pod opts out with the label ``sidecar.istio.io/inject: "false"``; in a namespace
    without an injection label the pod label ``"true"`` (or a pod ``istio.io/rev``) opts in.
    The annotation of the same name is deprecated: the injector still reads it once the
    webhook is called (so it can opt out), but it never makes the webhook be called.
    """
    namespace = cluster.namespaces.get(pod.ref.namespace)
    ns_labels = namespace.labels if namespace is not None else {}
    notes: list[str] = []
    annotation = pod.annotations.get(INJECT_ANNOTATION)
    if annotation is not None:
        notes.append(f"the annotation {INJECT_ANNOTATION}={annotation!r} is deprecated: use "
                     "the pod label of the same name")
    ambient = ns_labels.get(AMBIENT_LABEL) == "ambient" or \
        pod.labels.get(AMBIENT_LABEL) == "ambient"
    if pod.ref.namespace in _IGNORED_NAMESPACES:
        return Sidecar(False, f"{pod.ref}: no sidecar, the injector ignores namespace "
                              f"{pod.ref.namespace}", tuple(notes), ambient)
    injection, revision = ns_labels.get("istio-injection"), ns_labels.get("istio.io/rev")
    label = pod.labels.get(INJECT_LABEL)
    if injection is not None and injection != "enabled":
        return Sidecar(False, f"{pod.ref}: no sidecar, namespace label istio-injection="
                              f"{injection} turns injection off (the pod cannot opt in)",
                       tuple(notes), ambient)
    if injection is not None or revision is not None:
        why = "istio-injection=enabled" if injection is not None else f"istio.io/rev={revision}"
        if injection is not None and revision is not None:
            why += f" (it wins over istio.io/rev={revision})"
        value, source = (label, "label") if label is not None else (annotation, "annotation")
        if value is None or value == "" or value.lower() in _TRUE_WORDS:
            return Sidecar(True, f"{pod.ref}: sidecar, namespace label {why}", tuple(notes),
                           ambient)
        return Sidecar(False, f"{pod.ref}: no sidecar, the pod {source} {INJECT_LABEL}="
                              f"{value} opts out of namespace injection ({why})",
                       tuple(notes), ambient)
    if label == "true":
        return Sidecar(True, f"{pod.ref}: sidecar, the pod label {INJECT_LABEL}=true opts in "
                             "(namespace has no injection label)", tuple(notes), ambient)
    pod_revision = pod.labels.get("istio.io/rev")
    if pod_revision is not None and label != "false":
        return Sidecar(True, f"{pod.ref}: sidecar, the pod label istio.io/rev={pod_revision} "
                             "opts in (namespace has no injection label)", tuple(notes), ambient)
    if annotation is not None and annotation.lower() in _TRUE_WORDS:
        notes.append("the deprecated annotation does not opt a pod in: the webhook only "
                     "sees pods whose namespace or pod *label* asks for injection")
    return Sidecar(False, f"{pod.ref}: no sidecar, namespace {pod.ref.namespace} has no "
                          "injection label and the pod does not opt in", tuple(notes), ambient)


def server_mode(
    cluster: Cluster,
    pod: Pod,
    port: int,
    *,
    root_namespace: str = ROOT_NAMESPACE,
    disabled: Collection[str] = frozenset(),
) -> tuple[MtlsMode, list[str]]:
    """The effective mTLS mode of ``pod``'s sidecar on container ``port``, with the reasons.

    Never UNSET: workload > namespace > mesh > PERMISSIVE, each UNSET inheriting the next.
    """
    mesh: list[PeerAuthentication] = []
    namespace: list[PeerAuthentication] = []
    workload: list[PeerAuthentication] = []
    reasons: list[str] = []
    for pa in cluster.peer_authentications:
        if mesh_key(pa) in disabled:
            continue
        in_root = pa.namespace == root_namespace
        if not pa.has_selector:
            if in_root:
                mesh.append(pa)
            elif pa.namespace == pod.ref.namespace:
                namespace.append(pa)
        elif pa.namespace == pod.ref.namespace and _labels_match(pa.match_labels, pod.labels):
            if in_root:
                reasons.append(f"PeerAuthentication {pa.key} is ignored: a policy with a "
                               f"selector in the root namespace {root_namespace} has no effect")
            else:
                workload.append(pa)
    mode: MtlsMode = "PERMISSIVE"
    reasons.insert(0, "no PeerAuthentication applies: Istio's default is PERMISSIVE")
    chosen: list[tuple[str, PeerAuthentication]] = []
    for scope, found in (("mesh-wide", mesh), ("namespace-wide", namespace),
                         ("workload", workload)):
        if not found:
            continue
        first = min(found, key=PeerAuthentication.order)
        for other in found:
            if other is not first:
                reasons.append(f"PeerAuthentication {other.key} is ignored: another "
                               f"{scope} policy, {first.key}, is older (or first by name)")
        chosen.append((scope, first))
    if chosen:
        reasons.pop(0)
    for scope, pa in chosen:
        if pa.mode == "UNSET":
            reasons.append(f"{scope} PeerAuthentication {pa.key} leaves mtls.mode UNSET: "
                           f"inherits {mode}")
        else:
            mode = pa.mode
            reasons.append(f"{scope} PeerAuthentication {pa.key}: {mode}")
        if scope == "workload" and pa.port_modes and port in pa.port_modes:
            port_mode = pa.port_modes[port]
            if port_mode == "UNSET":
                reasons.append(f"its portLevelMtls {port}: UNSET inherits {mode}")
            else:
                mode = port_mode
                reasons.append(f"its portLevelMtls {port} (the container port, whether or not "
                               f"a Service exposes it): {mode}")
        elif scope != "workload" and pa.port_modes:
            reasons.append(f"the portLevelMtls of {pa.key} is ignored: it only takes effect "
                           "on a policy with a selector")
    return mode, reasons


@dataclass
class MergedRule:
    """A ``ConsolidatedDestRule``: the rules Istio merged for one host in one namespace index.

    ``rules`` is its ``from`` list, oldest first; ``policy_from`` is the rule whose top-level
    ``trafficPolicy`` (with its ``tls`` and ``portLevelSettings``) the merged rule carries:
    the first rule that has one, as ``mergeDestinationRule`` only fills a missing one.
    """

    rules: list[DestinationRule]
    export: frozenset[str]
    policy_from: DestinationRule | None

    @property
    def base(self) -> DestinationRule:
        """The rule the others were merged into (its host, namespace and workloadSelector)."""
        return self.rules[0]


_HostIndex = dict[str, list[MergedRule]]


class DestinationRuleIndex:
    """The DestinationRule indexes of ``PushContext.setDestinationRules`` (pilot/pkg/model/
    push_context.go, Istio 1.27): per namespace the rules its own proxies see, per namespace
    the rules exported elsewhere, and the root namespace's private rules; rules for the same
    host in one index merged as ``mergeDestinationRule`` (destination_rule.go) merges them,
    with ``ENABLE_ENHANCED_DESTINATIONRULE_MERGE`` on (its default) and the default
    ``exportTo`` of ``*``."""

    def __init__(self, rules: Iterable[DestinationRule], root_namespace: str = ROOT_NAMESPACE
                 ) -> None:
        self.root_namespace = root_namespace
        self.local: dict[str, _HostIndex] = {}
        self.exported: dict[str, _HostIndex] = {}
        self.root_local: _HostIndex = {}
        # sortConfigBySelectorAndCreationTime: workloadSelector first, oldest, name, namespace
        for dr in sorted(rules, key=DestinationRule.order):
            export = frozenset({"."}) if dr.workload_labels else frozenset(dr.export_to)
            if not export or export & {"*", ".", dr.namespace}:
                _merge(self.local.setdefault(dr.namespace, {}), dr, export)
            private = len(export) == 1 and bool(export & {".", dr.namespace})
            if not private:
                _merge(self.exported.setdefault(dr.namespace, {}), dr, export)
            elif dr.namespace == root_namespace:
                _merge(self.root_local, dr, export)

    def lookup(self, client: Pod, service: Service) -> tuple[MergedRule | None, str, list[str]]:
        """``PushContext.destinationRule`` then ``SidecarScope.DestinationRule`` (sidecar.go):
        the merged rule for ``client`` calling ``service``, where it was found, and notes on
        closer matches Istio did not use."""
        host, client_ns = service.host, client.ref.namespace
        notes: list[str] = []
        if client_ns != self.root_namespace:
            step1, where = self.local.get(client_ns, {}), "the client's namespace"
        else:
            step1, where = self.root_local, "the client's namespace (the root namespace)"
        found = _most_specific(host, step1)
        if found:
            return _for_workload(found, client), where, notes
        for namespace in (service.namespace, self.root_namespace):
            found = _most_specific(host, self.exported.get(namespace, {}))
            if not found:
                continue
            seen = [m for m in found if not m.export or m.export & {"*", client_ns}]
            if seen:
                where = "the Service's namespace" if namespace == service.namespace else \
                    "the root namespace"
                return _for_workload(seen, client), where, notes
            notes.append(f"DestinationRule {_names(found)} (host {found[0].base.host}) is the "
                         f"closest match in {namespace} but is not exported to {client_ns}: "
                         f"Istio looks no further in {namespace}")
        return None, "", notes


def _merge(index: _HostIndex, dr: DestinationRule, export: frozenset[str]) -> None:
    """``mergeDestinationRule``: merge ``dr`` into the rules already indexed for its host
    whose exportTo is the same (or a subset of ``dr``'s) and whose workloadSelector is
    compatible; add it as a rule of its own where the code says so."""
    policy = dr if dr.policy_set else None
    entries = index.get(dr.fqdn)
    if entries is None:
        index[dr.fqdn] = [MergedRule([dr], export, policy)]
        return
    separately = True
    for entry in entries:
        if export == entry.export:
            separately = False
        elif not (entry.export and export >= entry.export):
            separately = True
            continue
        else:
            separately = True  # merged, and also added on its own (unless reset below)
        old, new = entry.base.workload_labels, dr.workload_labels
        if old and new and dict(old) != dict(new):
            separately = True
            continue
        if (not old and not new) or (old and new):
            separately = False
        entry.rules.append(dr)  # subsets are concatenated (not modelled)
        if entry.policy_from is None and policy is not None:
            entry.policy_from = policy  # only a missing top-level trafficPolicy is filled
    if separately:
        entries.append(MergedRule([dr], export, policy))


def _most_specific(host: str, index: _HostIndex) -> list[MergedRule]:
    """``MostSpecificHostMatch`` (pilot/pkg/model/config.go): the exact host, else the
    longest wildcard that matches; the entries indexed under it (empty: none matches)."""
    if host in index:
        return index[host]
    best: str | None = None
    for key in index:
        if key.startswith("*") and host.endswith(key[1:]):
            if best is None or len(key) > len(best) or (len(key) == len(best) and key < best):
                best = key
    return index[best] if best is not None else []


def _for_workload(found: Sequence[MergedRule], client: Pod) -> MergedRule | None:
    """``SidecarScope.DestinationRule``: the first rule of the client's namespace whose
    workloadSelector selects it, else the last rule without a selector."""
    catch_all = None
    for entry in found:
        labels = entry.base.workload_labels
        if not labels:
            catch_all = entry
        elif entry.base.namespace == client.ref.namespace and \
                _labels_match(labels, client.labels):
            return entry
    return catch_all


def _names(found: Sequence[MergedRule]) -> str:
    return ", ".join(dict.fromkeys(dr.key for entry in found for dr in entry.rules))


def client_tls(
    cluster: Cluster,
    client: Pod,
    service: Service,
    service_port: int,
    *,
    root_namespace: str = ROOT_NAMESPACE,
    disabled: Collection[str] = frozenset(),
    index: DestinationRuleIndex | None = None,
) -> tuple[DestinationRule | None, TlsMode | None, str]:
    """The DestinationRule whose ``trafficPolicy`` applies to ``client`` calling ``service``
    and its TLS mode for ``service_port`` (None: no TLS mode, auto mTLS decides), with a
    reason that names every rule merged into it.

    ``index``: the :class:`DestinationRuleIndex` of the enabled rules, if already built.
    """
    host = service.host
    if index is None:
        enabled = [dr for dr in cluster.destination_rules if mesh_key(dr) not in disabled]
        index = DestinationRuleIndex(enabled, root_namespace)
    entry, where, notes = index.lookup(client, service)
    lead = "".join(f"{note}; " for note in notes)
    if entry is None:
        if where:  # a closer match in the client's namespace selects other workloads
            return None, None, (f"{lead}the closest DestinationRule for {host} in {where} has a "
                                f"workloadSelector that does not select {client.ref}: auto "
                                "mTLS decides")
        return None, None, (f"{lead}no DestinationRule for {host} is visible to "
                            f"{client.ref.namespace}: auto mTLS decides")
    base, dr = entry.base, entry.policy_from
    if len(entry.rules) == 1:
        name = f"DestinationRule {base.key} (host {base.host}, in {where})"
    else:
        merged = " + ".join(r.key for r in entry.rules)
        name = f"DestinationRules {merged} merged by Istio (host {base.host}, in {where})"
        if dr is not None and dr is not base:
            name += (f"; {base.key}, the oldest, has no top-level trafficPolicy, so "
                     f"{dr.key}'s is used")
        ignored = [r.key for r in entry.rules if r.policy_set and r is not dr]
        if dr is not None and ignored:
            name += f"; the trafficPolicy of {', '.join(ignored)} is ignored"
    if dr is None:
        return base, None, f"{lead}{name} sets no TLS mode: auto mTLS decides"
    mode, by_port = dr.tls_for(service_port)
    if mode is None:
        return dr, None, f"{lead}{name} sets no TLS mode: auto mTLS decides"
    setting = f"portLevelSettings port {service_port}" if by_port else "trafficPolicy.tls"
    return dr, mode, f"{lead}{name}: {setting} {mode}"


class Memo:
    """What a whole matrix asks again and again (each pod's sidecar, each server port's mode,
    each client's DestinationRule), worked out once under one root namespace and toggles."""

    def __init__(self, cluster: Cluster, root_namespace: str = ROOT_NAMESPACE,
                 disabled: Collection[str] = frozenset()) -> None:
        self.cluster = cluster
        self.root_namespace = root_namespace
        self.disabled = frozenset(disabled)
        self._sidecars: dict[PodRef, Sidecar] = {}
        self._modes: dict[tuple[PodRef, int], tuple[MtlsMode, list[str]]] = {}
        self._tls: dict[tuple[str, str, int], tuple[TlsMode | None, str]] = {}
        self._routes: dict[tuple[PodRef, int, str], list[tuple[Service, ServicePort]]] = {}
        self._index = DestinationRuleIndex(
            (dr for dr in cluster.destination_rules if mesh_key(dr) not in self.disabled),
            root_namespace)
        # A client's rule depends on its namespace, and on its labels only where some rule
        # has a workloadSelector.
        self._by_labels = any(dr.workload_labels for dr in cluster.destination_rules)

    def sidecar(self, pod: Pod) -> Sidecar:
        """:func:`sidecar_of`, once per pod."""
        if pod.ref not in self._sidecars:
            self._sidecars[pod.ref] = sidecar_of(self.cluster, pod)
        return self._sidecars[pod.ref]

    def mode(self, pod: Pod, port: int) -> tuple[MtlsMode, list[str]]:
        """:func:`server_mode`, once per pod and port."""
        key = (pod.ref, port)
        if key not in self._modes:
            self._modes[key] = server_mode(self.cluster, pod, port,
                                           root_namespace=self.root_namespace,
                                           disabled=self.disabled)
        return self._modes[key]

    def tls(self, client: Pod, service: Service, port: int) -> tuple[TlsMode | None, str]:
        """:func:`client_tls`, once per client, Service and Service port."""
        who = str(client.ref) if self._by_labels else client.ref.namespace
        key = (who, service.key, port)
        if key not in self._tls:
            _, mode, why = client_tls(self.cluster, client, service, port,
                                      root_namespace=self.root_namespace, index=self._index)
            self._tls[key] = (mode, why)
        return self._tls[key]

    def routes(self, server: Pod, port: int, protocol: str) -> list[tuple[Service, ServicePort]]:
        """:func:`services_targeting`, once per server port."""
        key = (server.ref, port, protocol)
        if key not in self._routes:
            self._routes[key] = services_targeting(self.cluster, server, port, protocol)
        return self._routes[key]


def transport(
    cluster: Cluster,
    client: Pod,
    service: Service,
    service_port: ServicePort,
    server: Pod,
    port: int,
    *,
    root_namespace: str = ROOT_NAMESPACE,
    disabled: Collection[str] = frozenset(),
    memo: Memo | None = None,
) -> Transport:
    """How ``client`` → ``service``:``service_port`` arrives at container ``port`` of ``server``.

    ``memo`` (built on the same cluster, root namespace and toggles) saves repeated work.
    """
    memo = memo if memo is not None else Memo(cluster, root_namespace, disabled)
    reasons: list[str] = []

    def done(outcome: Outcome, *more: str) -> Transport:
        return Transport(client.ref, server.ref, port, service.key, service_port.port, outcome,
                         tuple([*reasons, *more]))

    if service_port.protocol != "TCP":
        return done("not evaluated", f"{service_port.protocol} is not carried by the "
                                     "sidecar's TCP listeners: not evaluated")
    if service.headless:
        return done("not evaluated", f"{service.key} is headless: the client dials pod IPs "
                                     "directly, which is not evaluated")
    client_car, server_car = memo.sidecar(client), memo.sidecar(server)
    reasons += [client_car.reason, *client_car.notes, server_car.reason, *server_car.notes]
    if client_car.ambient or server_car.ambient:
        return done("not evaluated", "ambient mode (istio.io/dataplane-mode=ambient) is not "
                                     "evaluated")
    mode: MtlsMode | None = None
    if server_car.present:
        mode, why = memo.mode(server, port)
        reasons += why
    else:
        reasons.append("no sidecar on the server: no PeerAuthentication applies, the "
                       "application accepts whatever arrives")
    if not client_car.present:
        reasons.append("the client has no sidecar: it sends plaintext")
        sends_mtls = False
    else:
        tls, why = memo.tls(client, service, service_port.port)
        reasons.append(why)
        if tls in ("SIMPLE", "MUTUAL"):
            return done("not evaluated", f"client TLS mode {tls} (TLS to the application) "
                                         "is not evaluated")
        if tls == "ISTIO_MUTUAL":
            sends_mtls = True
            reasons.append("the client sidecar sends Istio mTLS")
        elif tls == "DISABLE":
            sends_mtls = False
            reasons.append("the client sidecar sends plaintext")
        elif server_car.present and mode != "DISABLE":
            sends_mtls = True
            reasons.append("auto mTLS: the server has a sidecar that does not DISABLE mTLS "
                           "on this port, so the client sidecar sends mTLS")
        else:
            sends_mtls = False
            reasons.append("auto mTLS: the server " + ("disables mTLS on this port" if
                           server_car.present else "has no sidecar") + ", so the client "
                           "sidecar sends plaintext")
    if not server_car.present:
        if sends_mtls:
            return done("rejected", "the server has no sidecar to terminate Istio mTLS: the "
                                    "handshake fails")
        return done("plaintext")
    if mode == "STRICT":
        return done("mtls") if sends_mtls else done("rejected", "STRICT refuses plaintext")
    if mode == "DISABLE":
        if sends_mtls:
            return done("rejected", "the server sidecar DISABLEs mTLS: forced mTLS fails")
        return done("plaintext")
    return done("mtls" if sends_mtls else "plaintext", "PERMISSIVE accepts mTLS and plaintext")


def services_targeting(cluster: Cluster, server: Pod, port: int,
                       protocol: str = "TCP") -> list[tuple[Service, ServicePort]]:
    """Every (Service, port) that selects ``server`` and leads to its container ``port``."""
    found = []
    for service in cluster.services:
        if not service.selects(server.ref.namespace, server.labels):
            continue
        for sp in service.ports:
            if sp.protocol != protocol:
                continue
            target = sp.target if isinstance(sp.target, int) else \
                server.named_port(sp.target, protocol)
            if target == port:
                found.append((service, sp))
    return found


def transports(
    cluster: Cluster,
    client: PodRef | str,
    server: PodRef | str,
    port: int,
    protocol: str = "TCP",
    *,
    root_namespace: str = ROOT_NAMESPACE,
    disabled: Collection[str] = frozenset(),
    memo: Memo | None = None,
) -> list[Transport]:
    """The outcome through each Service that targets ``server``'s container ``port``; one
    ``not evaluated`` entry when none does (a pod IP dialled directly is out of scope)."""
    memo = memo if memo is not None else Memo(cluster, root_namespace, disabled)
    src, dst = cluster.pod(client), cluster.pod(server)
    routes = memo.routes(dst, port, protocol)
    if not routes:
        return [Transport(src.ref, dst.ref, port, None, None, "not evaluated",
                          (f"no Service targets port {port}/{protocol} of {dst.ref}: a "
                           "connection to the pod IP bypasses the Service's cluster and is "
                           "not evaluated",))]
    return [transport(cluster, src, service, sp, dst, port, memo=memo) for service, sp in routes]


def mesh_objects(cluster: Cluster) -> Iterable[PeerAuthentication | DestinationRule]:
    """The objects the lab can toggle, PeerAuthentications first."""
    yield from cluster.peer_authentications
    yield from cluster.destination_rules


def _labels_match(wanted: Mapping[str, str] | None, labels: Mapping[str, str]) -> bool:
    return all(labels.get(k) == v for k, v in (wanted or {}).items())
