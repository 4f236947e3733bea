"""Who can reach whom: every ordered pod pair on every declared port of the destination.

Per destination port the work is a few set operations on precomputed pod sets (see
:mod:`quiz.netpol.index`), so recomputing after a policy is toggled stays cheap.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from typing import Any, NamedTuple

from quiz.netpol.errors import QueryError
from quiz.netpol.evaluate import Verdict, check_protocol, evaluate
from quiz.netpol.index import ClusterIndex, CompiledCnp, CompiledPolicy, classes_of, index_of
from quiz.netpol.model import CNP_PREFIX, Cluster, Pod, PodRef, Protocol
from quiz.textsafe import quote


class Edge(NamedTuple):
    """One ordered pod pair on one destination port, with each side's decision."""

    src: PodRef
    dst: PodRef
    port: int
    protocol: Protocol
    allowed: bool
    egress_allowed: bool
    ingress_allowed: bool
    port_name: str | None = None


def reachability_matrix(
    cluster: Cluster, disabled_policies: Collection[str] = frozenset()
) -> list[Edge]:
    """Edges for every ordered pair of distinct pods and every container port of the destination.

    Pods that declare no ports receive no edges (use :func:`port_edges` for an arbitrary port).
    Edges are ordered by source, destination, port and protocol. Computed per class of alike
    pods (:func:`class_matrix`), then spelled out pod by pod.
    """
    return list(class_matrix(cluster, disabled_policies).edges())


def per_pod_matrix(
    cluster: Cluster, disabled_policies: Collection[str] = frozenset()
) -> list[Edge]:
    """:func:`reachability_matrix` evaluated pod by pod, without classes (what the class-grouped
    matrix is tested against; slow on thousands of pods)."""
    run = _Run(index_of(cluster), frozenset(disabled_policies))
    targets: list[list[tuple[int, Protocol, str | None, int, int]]] = []
    for d, dst in enumerate(run.index.pods):
        targets.append([(number, proto, name, *run.allowed_sources(d, number, proto))
                        for number, proto, name in declared_ports(dst)])
    return run.emit(targets)


def declared_ports(pod: Pod) -> list[tuple[int, Protocol, str | None]]:
    """A pod's distinct (port, protocol) with the first name given to it, in matrix order."""
    seen: dict[tuple[int, Protocol], str | None] = {}
    for port in pod.ports:
        seen.setdefault((port.number, port.protocol), port.name)
    return [(number, proto, name) for (number, proto), name in sorted(seen.items())]


class Column(NamedTuple):
    """One destination class and port, with the source classes each side allows (bit masks)."""

    dst_class: int
    port: int
    protocol: Protocol
    port_name: str | None
    egress: int
    ingress: int

    @property
    def allowed(self) -> int:
        """Source classes whose egress and the destination's ingress both allow the port."""
        return self.egress & self.ingress


class ClassMatrix:
    """The reachability matrix over classes of pods that no policy can tell apart: same
    namespace, labels and declared ports, and inside the same policy CIDRs. A class pair's
    verdict holds for every pod pair of the two classes (a pod and itself is left out)."""

    def __init__(self, classes: list[tuple[Pod, ...]], columns: list[Column]) -> None:
        self.classes = classes
        self.columns = columns
        self.class_of: dict[PodRef, int] = {
            pod.ref: c for c, members in enumerate(classes) for pod in members}
        self.by_class: list[list[Column]] = [[] for _ in classes]
        for column in columns:
            self.by_class[column.dst_class].append(column)

    @property
    def pods(self) -> int:
        """How many pods the classes hold."""
        return len(self.class_of)

    def cell(self, src: PodRef, dst: PodRef, port: int, protocol: str) -> bool | None:
        """Whether ``src`` reaches ``dst`` on a declared port; None for a pod and itself or a
        port ``dst`` does not declare."""
        if src == dst:
            return None
        s = self.class_of[src]
        for column in self.by_class[self.class_of[dst]]:
            if (column.port, column.protocol) == (port, protocol):
                return bool((column.allowed >> s) & 1)
        return None

    def edges(self) -> Iterator[Edge]:
        """Every pod pair's edges, in :func:`reachability_matrix` order."""
        pods = sorted((pod for members in self.classes for pod in members),
                      key=lambda pod: pod.ref)
        class_of = self.class_of
        spelled = [(pod.ref, self.by_class[class_of[pod.ref]]) for pod in pods]
        for src in pods:
            s = class_of[src.ref]
            for dst, columns in spelled:
                if dst == src.ref:
                    continue
                for column in columns:
                    eg = bool((column.egress >> s) & 1)
                    ing = bool((column.ingress >> s) & 1)
                    yield Edge(src.ref, dst, column.port, column.protocol, eg and ing, eg, ing,
                               column.port_name)

    def counts(self) -> tuple[int, int]:
        """(allowed, total) pod-pair flows, without spelling them out."""
        sizes = [len(members) for members in self.classes]
        total_pods = sum(sizes)
        allowed = total = 0
        for column in self.columns:
            d_size = sizes[column.dst_class]
            # every source pod but the destination itself, for each destination pod
            total += d_size * (total_pods - 1)
            mask, s = column.allowed, 0
            while mask:
                if mask & 1:
                    same = 1 if s == column.dst_class else 0
                    allowed += d_size * (sizes[s] - same)
                mask >>= 1
                s += 1
        return allowed, total


def class_matrix(
    cluster: Cluster, disabled_policies: Collection[str] = frozenset()
) -> ClassMatrix:
    """The matrix per class of alike pods: each class is evaluated once, through one
    representative, so 3,000 pods of 60 kinds cost about as much as 60 pods."""
    grouping = classes_of(cluster)
    run = _Run(index_of(grouping.representatives), frozenset(disabled_policies))
    columns = [Column(d, number, proto, name, *run.allowed_sources(d, number, proto))
               for d, rep in enumerate(run.index.pods) for number, proto, name in
               declared_ports(rep)]
    return ClassMatrix(grouping.classes, columns)


def port_edges(
    cluster: Cluster,
    port: int | str,
    protocol: str = "TCP",
    disabled_policies: Collection[str] = frozenset(),
) -> list[Edge]:
    """Edges for every ordered pair of distinct pods on one port, declared or not.

    A named port is resolved per destination; destinations without that name get no edge.
    """
    proto = check_protocol(protocol)
    if isinstance(port, bool) or not isinstance(port, int | str):
        raise QueryError(f"port must be a whole number 1-65535 or a port name, not {quote(port)}")
    if isinstance(port, str) and port.isdigit():
        port = int(port)
    if isinstance(port, int) and not 1 <= port <= 65535:
        raise QueryError(f"port {quote(port)} is out of range 1-65535")
    run = _Run(index_of(cluster), frozenset(disabled_policies))
    targets: list[list[tuple[int, Protocol, str | None, int, int]]] = []
    for d, dst in enumerate(run.index.pods):
        number: int | None
        if isinstance(port, str):
            number, name = dst.named_port(port, proto), port
        else:
            number, name = port, None
        if number is None:
            targets.append([])
            continue
        targets.append([(number, proto, name, *run.allowed_sources(d, number, proto))])
    return run.emit(targets)


def matrix_to_records(edges: Iterable[Edge]) -> list[dict[str, Any]]:
    """JSON-friendly ``{"from", "to", "port", "protocol", "allowed"}`` dicts in a stable order."""
    ordered = sorted(edges, key=lambda e: (e.src.namespace, e.src.name, e.dst.namespace,
                                           e.dst.name, e.port, e.protocol))
    return [{"from": str(e.src), "to": str(e.dst), "port": e.port, "protocol": e.protocol,
             "allowed": e.allowed} for e in ordered]


class PolicyToggles:
    """The lab's switchboard: policies turned off by key, matrix and verdicts recomputed."""

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self.disabled: set[str] = set()

    def toggle(self, key: str) -> bool:
        """Turn policy ``namespace/name`` (or ``cnp:name``) off if on, on if off; returns
        whether it is now on."""
        if key.startswith(CNP_PREFIX):
            self.cluster.cluster_policy(key)  # KeyError for a policy that does not exist
        else:
            self.cluster.policy(key)
        if key in self.disabled:
            self.disabled.discard(key)
            return True
        self.disabled.add(key)
        return False

    def is_enabled(self, key: str) -> bool:
        """Whether the policy currently takes part in evaluation."""
        return key not in self.disabled

    def matrix(self) -> list[Edge]:
        """The reachability matrix with the enabled policies only."""
        return reachability_matrix(self.cluster, frozenset(self.disabled))

    def class_matrix(self) -> ClassMatrix:
        """:func:`class_matrix` with the enabled policies only (cheap on thousands of pods)."""
        return class_matrix(self.cluster, frozenset(self.disabled))

    def evaluate(self, src: PodRef | str, dst: PodRef | str, port: int | str,
                 protocol: str = "TCP") -> Verdict:
        """:func:`evaluate` with the enabled policies only."""
        return evaluate(self.cluster, src, dst, port, protocol,
                        disabled_policies=frozenset(self.disabled))


def _act(action: str, hit: int, accepted: int, passed: int) -> tuple[int, int]:
    if action == "Accept":
        return accepted | hit, passed
    if action == "Pass":
        return accepted, passed | hit
    return accepted, passed  # Deny: neither accepted nor passed on


class _Run:
    """One matrix computation under one set of disabled policies."""

    def __init__(self, index: ClusterIndex, disabled: frozenset[str]) -> None:
        self.index = index
        self.disabled = disabled
        self.egress_policies: list[CompiledPolicy] = [
            cp for cp in index.enabled(disabled) if "egress" in cp.policy.policy_types
        ]
        isolated = 0
        for cp in self.egress_policies:
            isolated |= cp.selected
        self.egress_free = index.all_pods & ~isolated
        self.tiers: dict[tuple[str, str], list[CompiledCnp]] = {
            (tier, direction): index.tier(tier, direction, disabled)
            for tier in ("Admin", "Baseline") for direction in ("ingress", "egress")}

    def allowed_sources(self, d: int, number: int, protocol: str) -> tuple[int, int]:
        """Sets of sources whose egress, and whose ingress into pod ``d``, allow the port."""
        index, dst = self.index, self.index.pods[d]
        ingress_policies = index.isolating("ingress", d, self.disabled)
        if not ingress_policies:
            ingress_ok = index.all_pods
        else:
            ingress_ok = 0
            for cp in ingress_policies:
                for rule in cp.ingress:
                    if rule.rule.matches_port(dst, number, protocol):
                        ingress_ok |= index.all_pods if rule.peers is None else rule.peers
        egress_ok = self.egress_free
        for cp in self.egress_policies:
            if not cp.selected & ~egress_ok:
                continue  # every pod it selects is already allowed
            for rule in cp.egress:
                if rule.matches(d, dst, number, protocol):
                    egress_ok |= cp.selected
                    break
        if not any(self.tiers.values()):
            return egress_ok, ingress_ok
        # ClusterNetworkPolicy tiers: Admin, then NetworkPolicy (final for isolated pods), then
        # Baseline, then allowed. Ingress sets are over sources, egress sets over subjects.
        every = index.all_pods
        if ingress_policies:
            ingress_tier2 = ingress_ok
        else:
            accepted, rest = self._ingress_tier("Baseline", d, dst, number, protocol)
            ingress_tier2 = accepted | rest
        accepted, rest = self._ingress_tier("Admin", d, dst, number, protocol)
        ingress_ok = accepted | (rest & ingress_tier2)
        accepted, rest = self._egress_tier("Baseline", d, dst, number, protocol)
        egress_tier2 = (egress_ok & ~self.egress_free) | (self.egress_free & (accepted | rest))
        accepted, rest = self._egress_tier("Admin", d, dst, number, protocol)
        return (accepted | (rest & egress_tier2)) & every, ingress_ok & every

    def _ingress_tier(self, tier: str, d: int, dst: Pod, number: int,
                      protocol: str) -> tuple[int, int]:
        """Sources a tier accepts into pod ``d``, and those it leaves to the next tier."""
        undecided, accepted, passed = self.index.all_pods, 0, 0
        for cp in self.tiers[tier, "ingress"]:
            if not (cp.selected >> d) & 1:
                continue
            for rule in cp.ingress:
                if rule.rule.matches_port(dst, number, protocol):
                    hit = rule.peers & undecided
                    accepted, passed = _act(rule.rule.action, hit, accepted, passed)
                    undecided &= ~hit
        return accepted, undecided | passed

    def _egress_tier(self, tier: str, d: int, dst: Pod, number: int,
                     protocol: str) -> tuple[int, int]:
        """Subjects a tier lets reach pod ``d``, and those it leaves to the next tier."""
        undecided, accepted, passed = self.index.all_pods, 0, 0
        for cp in self.tiers[tier, "egress"]:
            if not cp.selected & undecided:
                continue
            for rule in cp.egress:
                if rule.matches(d, dst, number, protocol):
                    hit = cp.selected & undecided
                    accepted, passed = _act(rule.rule.action, hit, accepted, passed)
                    undecided &= ~hit
                    break
        return accepted, undecided | passed

    def emit(self, targets: list[list[tuple[int, Protocol, str | None, int, int]]]) -> list[Edge]:
        """Edges in source, destination, port order, self pairs left out."""
        refs = [pod.ref for pod in self.index.pods]
        edges: list[Edge] = []
        append = edges.append
        for s, src in enumerate(refs):
            for d, ports in enumerate(targets):
                if d == s:
                    continue
                dst = refs[d]
                for number, proto, name, egress_ok, ingress_ok in ports:
                    eg = bool((egress_ok >> s) & 1)
                    ing = bool((ingress_ok >> s) & 1)
                    append(Edge(src, dst, number, proto, eg and ing, eg, ing, name))
        return edges
