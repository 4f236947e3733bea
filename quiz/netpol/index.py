"""Per-policy pod sets computed once per cluster, so each query is a few set operations.

Sets of pods are int bit masks over the cluster's pod positions (bit ``i`` is ``cluster.pods[i]``):
unions and intersections of 200-pod sets are then a handful of machine words.

The index is built here, from the model, and kept per cluster by :func:`index_of`; the model
knows nothing of it.
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from weakref import WeakKeyDictionary

from quiz.netpol.model import (
    Cluster,
    ClusterNetworkPolicy,
    CnpPeer,
    CnpRule,
    Direction,
    IPNetwork,
    NetworkPolicy,
    Peer,
    Pod,
    PodRef,
    Rule,
    Tier,
)


@dataclass(frozen=True)
class CompiledRule:
    """A rule with its peers resolved to a pod set (None: every peer, in or out of the cluster)."""

    policy: str
    direction: Direction
    index: int
    rule: Rule
    peers: int | None

    def matches(self, peer: int, dst: Pod, number: int, protocol: str) -> bool:
        """Whether the rule allows the peer at position ``peer`` with traffic to ``dst``."""
        if self.peers is not None and not (self.peers >> peer) & 1:
            return False
        return self.rule.matches_port(dst, number, protocol)


@dataclass(frozen=True)
class CompiledPolicy:
    """A policy with the pods it selects; rules of a direction it does not affect are dropped."""

    policy: NetworkPolicy
    selected: int
    ingress: tuple[CompiledRule, ...]
    egress: tuple[CompiledRule, ...]

    @property
    def key(self) -> str:
        """``namespace/name`` of the policy."""
        return self.policy.key

    def rules(self, direction: Direction) -> tuple[CompiledRule, ...]:
        """The compiled ingress or egress rules."""
        return self.ingress if direction == "ingress" else self.egress


@dataclass(frozen=True)
class CompiledCnpRule:
    """A ClusterNetworkPolicy rule with its peers resolved to a pod set."""

    policy: str
    direction: Direction
    index: int
    rule: CnpRule
    peers: int

    def matches(self, peer: int, dst: Pod, number: int, protocol: str) -> bool:
        """Whether the rule applies to the peer at position ``peer`` with traffic to ``dst``."""
        return bool((self.peers >> peer) & 1) and self.rule.matches_port(dst, number, protocol)


@dataclass(frozen=True)
class CompiledCnp:
    """A ClusterNetworkPolicy with the pods its subject selects."""

    policy: ClusterNetworkPolicy
    selected: int
    ingress: tuple[CompiledCnpRule, ...]
    egress: tuple[CompiledCnpRule, ...]

    @property
    def key(self) -> str:
        """``cnp:name`` of the policy."""
        return self.policy.key

    def rules(self, direction: Direction) -> tuple[CompiledCnpRule, ...]:
        """The compiled ingress or egress rules."""
        return self.ingress if direction == "ingress" else self.egress


class ClusterIndex:
    """Selected-pod sets of every policy and peer sets of every rule, for one cluster."""

    def __init__(self, cluster: Cluster) -> None:
        # No reference back to the cluster: index_of keeps indexes in a WeakKeyDictionary keyed
        # by the cluster, and a value that held its key would never be freed.
        self._namespaces = cluster.namespaces
        self.pods = cluster.pods
        self.position: dict[PodRef, int] = {pod.ref: i for i, pod in enumerate(self.pods)}
        self.all_pods = (1 << len(self.pods)) - 1
        self._by_namespace: dict[str, int] = {}
        for i, pod in enumerate(self.pods):
            ns = pod.ref.namespace
            self._by_namespace[ns] = self._by_namespace.get(ns, 0) | (1 << i)
        self.policies = tuple(self._compile(p) for p in cluster.policies)
        self._isolating: dict[Direction, list[tuple[int, ...]]] = {
            d: [tuple(j for j, cp in enumerate(self.policies)
                      if d in cp.policy.policy_types and (cp.selected >> i) & 1)
                for i in range(len(self.pods))]
            for d in ("ingress", "egress")
        }
        # In evaluation order (the cluster keeps them sorted by tier, priority and name).
        self.cluster_policies = tuple(self._compile_cnp(p) for p in cluster.cluster_policies)

    def tier(self, tier: Tier, direction: Direction,
             disabled: Collection[str] = ()) -> list[CompiledCnp]:
        """The enabled ClusterNetworkPolicies of ``tier`` with rules for ``direction``."""
        return [cp for cp in self.cluster_policies if cp.policy.tier == tier
                and cp.rules(direction) and cp.key not in disabled]

    def _compile_cnp(self, policy: ClusterNetworkPolicy) -> CompiledCnp:
        compiled = {
            direction: tuple(
                CompiledCnpRule(policy.key, direction, n, rule,
                                _union(self._cnp_peer(peer) for peer in rule.peers))
                for n, rule in enumerate(policy.rules(direction)))
            for direction in ("ingress", "egress")
        }
        return CompiledCnp(policy, self._cnp_peer(policy.subject), compiled["ingress"],
                           compiled["egress"])

    def _cnp_peer(self, peer: CnpPeer) -> int:
        pods = self.pods
        if peer.networks:
            return sum(1 << i for i, pod in enumerate(pods)
                       if any(ip.version == net.version and ip in net
                              for ip in pod.ips for net in peer.networks))
        candidates = 0
        selector = peer.namespace_selector
        for ns in self._namespaces.values():
            if selector is None or selector.matches(ns.labels):
                candidates |= self._by_namespace.get(ns.name, 0)
        if peer.pod_selector is None or peer.pod_selector.is_empty:
            return candidates
        pod_selector = peer.pod_selector
        return sum(1 << i for i in self.members(candidates)
                   if pod_selector.matches(pods[i].labels))

    def enabled(self, disabled: Collection[str]) -> Iterator[CompiledPolicy]:
        """The compiled policies whose keys are not in ``disabled``."""
        return (cp for cp in self.policies if cp.key not in disabled)

    def isolating(self, direction: Direction, pod: int,
                  disabled: Collection[str] = ()) -> list[CompiledPolicy]:
        """The enabled policies that select the pod and have ``direction`` in their policyTypes."""
        found = (self.policies[j] for j in self._isolating[direction][pod])
        return [cp for cp in found if cp.key not in disabled]

    def members(self, mask: int) -> Iterator[int]:
        """The pod positions in a set."""
        while mask:
            low = mask & -mask
            yield low.bit_length() - 1
            mask ^= low

    def _compile(self, policy: NetworkPolicy) -> CompiledPolicy:
        selector = policy.pod_selector
        selected = 0
        for i in self.members(self._by_namespace.get(policy.namespace, 0)):
            if selector.matches(self.pods[i].labels):
                selected |= 1 << i
        compiled: dict[Direction, tuple[CompiledRule, ...]] = {}
        for direction in ("ingress", "egress"):
            rules = policy.rules(direction) if direction in policy.policy_types else ()
            compiled[direction] = tuple(
                CompiledRule(policy.key, direction, n, rule, self._peers(policy, rule))
                for n, rule in enumerate(rules)
            )
        return CompiledPolicy(policy, selected, compiled["ingress"], compiled["egress"])

    def _peers(self, policy: NetworkPolicy, rule: Rule) -> int | None:
        if not rule.peers:
            return None
        mask = 0
        for peer in rule.peers:
            mask |= self._peer(policy, peer)
        return mask

    def _peer(self, policy: NetworkPolicy, peer: Peer) -> int:
        pods = self.pods
        if peer.ip_block is not None:
            block = peer.ip_block
            return sum(1 << i for i, pod in enumerate(pods)
                       if any(block.contains(ip) for ip in pod.ips))
        if peer.namespace_selector is None:
            candidates = self._by_namespace.get(policy.namespace, 0)
        else:
            candidates = 0
            for ns in self._namespaces.values():
                if peer.namespace_selector.matches(ns.labels):
                    candidates |= self._by_namespace.get(ns.name, 0)
        if peer.pod_selector is None or peer.pod_selector.is_empty:
            return candidates
        selector = peer.pod_selector
        return sum(1 << i for i in self.members(candidates) if selector.matches(pods[i].labels))


@dataclass(frozen=True)
class Classes:
    """Pods grouped into classes that no policy can tell apart, and a cluster of one
    representative per class (the first pod of each, by name)."""

    classes: list[tuple[Pod, ...]]
    representatives: Cluster
    class_of: dict[PodRef, int]


_CLASSES: WeakKeyDictionary[Cluster, Classes] = WeakKeyDictionary()
_CLASSES_LOCK = threading.Lock()


def classes_of(cluster: Cluster) -> Classes:
    """The cluster's pods grouped into classes, and a cluster of one representative per class
    (computed once per cluster)."""
    with _CLASSES_LOCK:
        found = _CLASSES.get(cluster)
        if found is None:
            found = _CLASSES[cluster] = _group(cluster)
        return found


def _group(cluster: Cluster) -> Classes:
    # Each CIDR as (version, network bits, mask): membership is then an int AND per pod IP.
    blocks = [(net.version, int(net.network_address), int(net.netmask)) for net in _cidrs(cluster)]
    groups: dict[tuple, list[Pod]] = {}
    for pod in cluster.pods:
        inside: tuple[bool, ...] = ()
        if pod.ips and blocks:
            ips = [(ip.version, int(ip)) for ip in pod.ips]
            inside = tuple(any(v == version and n & mask == network for v, n in ips)
                           for version, network, mask in blocks)
        key = (pod.ref.namespace, frozenset(pod.labels.items()), frozenset(pod.ports), inside)
        groups.setdefault(key, []).append(pod)
    classes = [tuple(members) for members in groups.values()]
    representatives = Cluster(cluster.namespaces, tuple(members[0] for members in classes),
                              cluster.policies, cluster.origin,
                              cluster_policies=cluster.cluster_policies)
    class_of = {pod.ref: c for c, members in enumerate(classes) for pod in members}
    return Classes(classes, representatives, class_of)


def _cidrs(cluster: Cluster) -> list[IPNetwork]:
    """Every CIDR a policy names (ipBlock, except, networks): pods are alike only if each of
    these holds the same of their IPs."""
    found: dict[IPNetwork, None] = {}
    for policy in cluster.policies:
        for rule in (*policy.ingress, *policy.egress):
            for peer in rule.peers:
                if peer.ip_block is not None:
                    found[peer.ip_block.cidr] = None
                    found.update(dict.fromkeys(peer.ip_block.excepts))
    for cnp in cluster.cluster_policies:
        for cnp_rule in cnp.egress:
            for cnp_peer in cnp_rule.peers:
                found.update(dict.fromkeys(cnp_peer.networks))
    return list(found)


def _union(masks: Iterator[int]) -> int:
    total = 0
    for mask in masks:
        total |= mask
    return total


_INDEXES: WeakKeyDictionary[Cluster, ClusterIndex] = WeakKeyDictionary()
_INDEXES_LOCK = threading.Lock()


def index_of(cluster: Cluster) -> ClusterIndex:
    """The cluster's index, computed on first use and kept as long as the cluster lives."""
    with _INDEXES_LOCK:
        index = _INDEXES.get(cluster)
        if index is None:
            index = _INDEXES[cluster] = ClusterIndex(cluster)
        return index
