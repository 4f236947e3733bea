"""The objects the Istio transport evaluator reads: Services, PeerAuthentications and
DestinationRules, as immutable values (parsed by :mod:`quiz.netpol.mesh_reading`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

MtlsMode = Literal["UNSET", "DISABLE", "PERMISSIVE", "STRICT"]
MTLS_MODES: tuple[MtlsMode, ...] = ("UNSET", "DISABLE", "PERMISSIVE", "STRICT")
TlsMode = Literal["DISABLE", "SIMPLE", "MUTUAL", "ISTIO_MUTUAL"]
TLS_MODES: tuple[TlsMode, ...] = ("DISABLE", "SIMPLE", "MUTUAL", "ISTIO_MUTUAL")
INJECT_ANNOTATION = "sidecar.istio.io/inject"  # deprecated: noted, never opts a pod in
DOMAIN = "cluster.local"  # the default cluster domain Istio resolves short hosts with
# A missing creationTimestamp sorts first, as Go's zero time.Time does in Istio's sorting.
ZERO_TIME = datetime.min.replace(tzinfo=UTC)


@dataclass(frozen=True)
class ServicePort:
    """One ``spec.ports[]`` entry: the port clients dial and the pod port it leads to."""

    port: int
    target: int | str  # a container port number, or a container port name
    protocol: str = "TCP"
    name: str | None = None

    def __str__(self) -> str:
        return f"{self.port}" + (f" ({self.name})" if self.name else "")


@dataclass(frozen=True)
class Service:
    """A Service: which pods it selects (None: no selector, no endpoints) and its ports."""

    namespace: str
    name: str
    selector: Mapping[str, str] | None
    ports: tuple[ServicePort, ...]
    headless: bool = False

    @property
    def key(self) -> str:
        """``namespace/name``."""
        return f"{self.namespace}/{self.name}"

    @property
    def host(self) -> str:
        """The FQDN Istio knows it by: ``name.namespace.svc.cluster.local``."""
        return f"{self.name}.{self.namespace}.svc.{DOMAIN}"

    def selects(self, namespace: str, labels: Mapping[str, str]) -> bool:
        """Whether a pod in ``namespace`` with ``labels`` is one of its endpoints."""
        if self.selector is None or namespace != self.namespace:
            return False
        return all(labels.get(k) == v for k, v in self.selector.items())


@dataclass(frozen=True)
class PeerAuthentication:
    """A ``security.istio.io`` PeerAuthentication: what its workloads accept."""

    namespace: str
    name: str
    match_labels: Mapping[str, str] | None  # None or empty: namespace- or mesh-wide
    mode: MtlsMode = "UNSET"
    port_modes: Mapping[int, MtlsMode] | None = None
    created: datetime = ZERO_TIME

    @property
    def key(self) -> str:
        """``namespace/name``: how it is named in reasons and toggled in the lab."""
        return f"{self.namespace}/{self.name}"

    @property
    def has_selector(self) -> bool:
        """Istio treats a selector without matchLabels as no selector."""
        return bool(self.match_labels)

    def order(self) -> tuple[datetime, str, str]:
        """Istio's tie-break: oldest creation time, then name, then namespace."""
        return (self.created, self.name, self.namespace)


@dataclass(frozen=True)
class DestinationRule:
    """A ``networking.istio.io`` DestinationRule, reduced to what decides client TLS."""

    namespace: str
    name: str
    host: str  # as written
    export_to: tuple[str, ...] = ()
    tls: TlsMode | None = None
    port_tls: Mapping[int, TlsMode | None] | None = None  # portLevelSettings by Service port
    workload_labels: Mapping[str, str] | None = None  # spec.workloadSelector.matchLabels
    created: datetime = ZERO_TIME
    has_policy: bool = False  # spec.trafficPolicy is present (even empty): merging keeps it

    @property
    def policy_set(self) -> bool:
        """Whether the rule has a top-level ``trafficPolicy`` (which carries its TLS modes)."""
        return self.has_policy or self.tls is not None or bool(self.port_tls)

    @property
    def key(self) -> str:
        """``namespace/name``."""
        return f"{self.namespace}/{self.name}"

    @property
    def fqdn(self) -> str:
        """The host as Istio resolves it: a name without dots is relative to the rule's
        namespace (``reviews`` → ``reviews.<ns>.svc.cluster.local``); anything else is taken
        as written, so ``reviews.shop`` does not name the Service."""
        if "." in self.host or self.host == "*":
            return self.host
        return f"{self.host}.{self.namespace}.svc.{DOMAIN}"

    def tls_for(self, port: int) -> tuple[TlsMode | None, bool]:
        """The TLS mode for a Service port and whether a ``portLevelSettings`` entry set it."""
        if self.port_tls and self.port_tls.get(port) is not None:
            return self.port_tls[port], True
        return self.tls, False

    def order(self) -> tuple[int, datetime, str, str]:
        """Istio's order: rules with a workloadSelector first, then the oldest, name, namespace."""
        return (0 if self.workload_labels else 1, self.created, self.name, self.namespace)
