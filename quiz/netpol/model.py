"""The cluster as the evaluator sees it: namespaces, pods and NetworkPolicies, all immutable."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from quiz.netpol.errors import UnknownPodError
from quiz.netpol.mesh_objects import DestinationRule, PeerAuthentication, Service
from quiz.netpol.selectors import LabelSelector

Protocol = Literal["TCP", "UDP", "SCTP"]
PROTOCOLS: tuple[Protocol, ...] = ("TCP", "UDP", "SCTP")
Direction = Literal["ingress", "egress"]
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

NAME_LABEL = "kubernetes.io/metadata.name"  # set by the API server on every namespace
DEFAULT_NAMESPACE = "default"


@dataclass(frozen=True, order=True)
class PodRef:
    """A pod's identity, written ``namespace/name``."""

    namespace: str
    name: str

    @classmethod
    def parse(cls, text: str) -> PodRef:
        """``"ns/pod"``, or ``"pod"`` for a pod in the ``default`` namespace."""
        namespace, sep, name = text.strip().partition("/")
        if not sep:
            return cls(DEFAULT_NAMESPACE, namespace)
        return cls(namespace, name)

    def __str__(self) -> str:
        return f"{self.namespace}/{self.name}"


@dataclass(frozen=True)
class ContainerPort:
    """One ``spec.containers[].ports[]`` entry of a pod."""

    number: int
    protocol: Protocol = "TCP"
    name: str | None = None


@dataclass(frozen=True)
class Namespace:
    """A namespace and its labels (always including ``kubernetes.io/metadata.name``)."""

    name: str
    labels: Mapping[str, str]
    declared: bool = True  # False when only implied by the pods or policies in it


@dataclass(frozen=True)
class Pod:
    """A pod: labels, declared container ports and the IPs from its status (if known)."""

    ref: PodRef
    labels: Mapping[str, str]
    ports: tuple[ContainerPort, ...] = ()
    ips: tuple[IPAddress, ...] = ()
    annotations: Mapping[str, str] = field(default_factory=dict)  # read by the mesh evaluator

    def named_port(self, name: str, protocol: str) -> int | None:
        """The number of the container port called ``name`` for ``protocol``, if declared."""
        for port in self.ports:
            if port.name == name and port.protocol == protocol:
                return port.number
        return None


@dataclass(frozen=True)
class IPBlock:
    """``ipBlock``: a CIDR minus its ``except`` ranges."""

    cidr: IPNetwork
    excepts: tuple[IPNetwork, ...] = ()

    def contains(self, ip: IPAddress) -> bool:
        """Whether ``ip`` is in the CIDR and in none of the exceptions."""
        if ip.version != self.cidr.version or ip not in self.cidr:
            return False
        return not any(ip in block for block in self.excepts)

    def __str__(self) -> str:
        text = f"ipBlock {self.cidr}"
        return text + (f" except {', '.join(map(str, self.excepts))}" if self.excepts else "")


@dataclass(frozen=True)
class Peer:
    """One ``from``/``to`` entry: selectors in one peer are ANDed, an ipBlock stands alone."""

    pod_selector: LabelSelector | None = None
    namespace_selector: LabelSelector | None = None
    ip_block: IPBlock | None = None

    def __str__(self) -> str:
        if self.ip_block is not None:
            return str(self.ip_block)
        parts = []
        if self.namespace_selector is not None:
            parts.append(f"namespaces [{self.namespace_selector}]")
        if self.pod_selector is not None:
            parts.append(f"pods [{self.pod_selector}]")
        return " AND ".join(parts)


@dataclass(frozen=True)
class PolicyPort:
    """One ``ports`` entry: no port means every port of the protocol."""

    protocol: Protocol = "TCP"
    port: int | str | None = None
    end_port: int | None = None

    def matches(self, dst: Pod, number: int, protocol: str) -> bool:
        """Whether traffic to ``dst`` on ``number``/``protocol`` is covered.

        A named port is resolved against the destination pod's container ports.
        """
        if protocol != self.protocol:
            return False
        if self.port is None:
            return True
        if isinstance(self.port, str):
            return dst.named_port(self.port, protocol) == number
        if self.end_port is not None:
            return self.port <= number <= self.end_port
        return number == self.port

    def __str__(self) -> str:
        if self.port is None:
            return f"any/{self.protocol}"
        end = f"-{self.end_port}" if self.end_port is not None else ""
        return f"{self.port}{end}/{self.protocol}"


@dataclass(frozen=True)
class Rule:
    """One ingress or egress rule: no peers means all peers, no ports means all ports."""

    peers: tuple[Peer, ...] = ()
    ports: tuple[PolicyPort, ...] = ()

    def matches_port(self, dst: Pod, number: int, protocol: str) -> bool:
        """Whether the rule's ``ports`` cover traffic to ``dst`` on ``number``/``protocol``."""
        return not self.ports or any(p.matches(dst, number, protocol) for p in self.ports)


@dataclass(frozen=True)
class NetworkPolicy:
    """A ``networking.k8s.io/v1`` NetworkPolicy with its policyTypes already defaulted."""

    namespace: str
    name: str
    pod_selector: LabelSelector
    policy_types: frozenset[Direction]
    ingress: tuple[Rule, ...] = ()
    egress: tuple[Rule, ...] = ()

    @property
    def key(self) -> str:
        """``namespace/name``: how policies are named in verdicts and toggled in the lab."""
        return f"{self.namespace}/{self.name}"

    def rules(self, direction: Direction) -> tuple[Rule, ...]:
        """The ingress or egress rules."""
        return self.ingress if direction == "ingress" else self.egress


Tier = Literal["Admin", "Baseline"]
Action = Literal["Accept", "Deny", "Pass"]
CNP_PREFIX = "cnp:"  # a ClusterNetworkPolicy's key; ':' is in no namespace name, so no clash


@dataclass(frozen=True)
class CnpPeer:
    """A ClusterNetworkPolicy subject or peer: ``namespaces`` (pod selector None), ``pods``
    (namespace AND pod selector), or ``networks`` (CIDRs, egress peers only)."""

    namespace_selector: LabelSelector | None = None
    pod_selector: LabelSelector | None = None
    networks: tuple[IPNetwork, ...] = ()

    def __str__(self) -> str:
        if self.networks:
            return f"networks {', '.join(map(str, self.networks))}"
        namespaces = f"namespaces [{self.namespace_selector or LabelSelector()}]"
        if self.pod_selector is None:
            return namespaces
        return f"{namespaces} AND pods [{self.pod_selector}]"


@dataclass(frozen=True)
class CnpPort:
    """One ``protocols`` entry: a port or range of one protocol, or a named destination port."""

    protocol: Protocol | None  # None for destinationNamedPort (any protocol of that name)
    start: int | None = None
    end: int | None = None
    name: str | None = None

    def matches(self, dst: Pod, number: int, protocol: str) -> bool:
        """Whether traffic to ``dst`` on ``number``/``protocol`` is covered."""
        if self.name is not None:
            return dst.named_port(self.name, protocol) == number
        if protocol != self.protocol or self.start is None:
            return False
        return self.start <= number <= (self.end if self.end is not None else self.start)

    def __str__(self) -> str:
        if self.name is not None:
            return f"named port {self.name}"
        end = f"-{self.end}" if self.end is not None else ""
        return f"{self.start}{end}/{self.protocol}"


@dataclass(frozen=True)
class CnpRule:
    """One ingress or egress rule of a ClusterNetworkPolicy: its action, peers and ports
    (no ports: every port)."""

    action: Action
    peers: tuple[CnpPeer, ...]
    ports: tuple[CnpPort, ...] = ()
    name: str = ""

    def matches_port(self, dst: Pod, number: int, protocol: str) -> bool:
        """Whether the rule's ``protocols`` cover traffic to ``dst`` on ``number``/``protocol``."""
        return not self.ports or any(p.matches(dst, number, protocol) for p in self.ports)


@dataclass(frozen=True)
class ClusterNetworkPolicy:
    """A ``policy.networking.k8s.io/v1alpha2`` ClusterNetworkPolicy (cluster-scoped)."""

    name: str
    tier: Tier
    priority: int
    subject: CnpPeer
    ingress: tuple[CnpRule, ...] = ()
    egress: tuple[CnpRule, ...] = ()

    @property
    def key(self) -> str:
        """``cnp:name``: how it is named in verdicts and toggled in the lab."""
        return f"{CNP_PREFIX}{self.name}"

    def rules(self, direction: Direction) -> tuple[CnpRule, ...]:
        """The ingress or egress rules."""
        return self.ingress if direction == "ingress" else self.egress


@dataclass(frozen=True, eq=False)
class Cluster:
    """Everything loaded from one set of manifests; pods are sorted by ``namespace/name``."""

    namespaces: Mapping[str, Namespace]
    pods: tuple[Pod, ...]
    policies: tuple[NetworkPolicy, ...]
    origin: str = "<manifests>"
    services: tuple[Service, ...] = ()
    peer_authentications: tuple[PeerAuthentication, ...] = ()
    destination_rules: tuple[DestinationRule, ...] = ()
    cluster_policies: tuple[ClusterNetworkPolicy, ...] = ()  # sorted by tier, priority, name
    notes: tuple[str, ...] = ()  # what loading skipped or assumed, one line each
    _by_ref: dict[PodRef, Pod] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        self._by_ref.update((pod.ref, pod) for pod in self.pods)

    def pod(self, ref: PodRef | str) -> Pod:
        """The pod named by ``ref`` (``"ns/pod"`` or ``"pod"`` in default); else UnknownPodError."""
        key = PodRef.parse(ref) if isinstance(ref, str) else ref
        try:
            return self._by_ref[key]
        except KeyError:
            raise UnknownPodError(str(key)) from None

    def policy(self, key: str) -> NetworkPolicy:
        """The policy called ``namespace/name``; KeyError if there is none."""
        for policy in self.policies:
            if policy.key == key:
                return policy
        raise KeyError(key)

    def cluster_policy(self, key: str) -> ClusterNetworkPolicy:
        """The ClusterNetworkPolicy whose key is ``cnp:name``; KeyError if there is none."""
        for policy in self.cluster_policies:
            if policy.key == key:
                return policy
        raise KeyError(key)

    def tier(self, tier: Tier) -> tuple[ClusterNetworkPolicy, ...]:
        """The ClusterNetworkPolicies of one tier, in evaluation order."""
        return tuple(p for p in self.cluster_policies if p.tier == tier)
