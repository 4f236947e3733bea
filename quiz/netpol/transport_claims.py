"""Transport claims from the question bank, and the transport column of ``quiz lab --json``.

A claim ``{from: ns/pod, to: ns/service, port, pod?: ns/pod, expected}`` says how a connection
from a pod to a Service port arrives at its endpoints: ``mtls``, ``plaintext`` or ``rejected``.
It holds when the outcome at every endpoint (or at ``pod`` alone) is ``expected``. A flow that
NetworkPolicy denies never arrives, so no transport claim about it holds.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from quiz.netpol.errors import QueryError
from quiz.netpol.evaluate import evaluate
from quiz.netpol.mesh_objects import Service, ServicePort
from quiz.netpol.model import Cluster, Pod, PodRef
from quiz.netpol.transport import ROOT_NAMESPACE, Memo, transport, transports
from quiz.textsafe import quote

TRANSPORT_CLAIM_FIELDS = ("from", "to", "port", "pod", "expected")
EXPECTED = ("mtls", "plaintext", "rejected")


@dataclass(frozen=True)
class TransportCheck:
    """What one claim found at each endpoint: the outcome and its reasons."""

    expected: str
    found: tuple[tuple[PodRef, str, tuple[str, ...]], ...]  # endpoint, outcome, reasons

    @property
    def holds(self) -> bool:
        """Every endpoint's outcome is the expected one."""
        return all(outcome == self.expected for _, outcome, _ in self.found)

    def explain(self) -> list[str]:
        """The first endpoint that disagrees (or the first one), with its reasons."""
        wrong = [f for f in self.found if f[1] != self.expected] or list(self.found)
        pod, outcome, reasons = wrong[0]
        return [f"at {pod}: {outcome} (expected {self.expected})", *reasons]


def find_service(cluster: Cluster, ref: str) -> Service:
    """The Service called ``ns/name`` (``name`` alone: in ``default``); else QueryError."""
    key = str(PodRef.parse(ref))
    for service in cluster.services:
        if service.key == key:
            return service
    raise QueryError(f"unknown Service {quote(key)}")


def check_transport_claim(
    cluster: Cluster,
    claim: Mapping[str, Any] | Any,
    *,
    root_namespace: str = ROOT_NAMESPACE,
    disabled: Collection[str] = frozenset(),
) -> tuple[bool, TransportCheck]:
    """Whether a transport claim holds, with what was found; QueryError for a malformed one."""
    data = _as_mapping(claim)
    unknown = sorted(set(data) - set(TRANSPORT_CLAIM_FIELDS))
    if unknown:
        raise QueryError(f"transport claim has unknown field(s): {', '.join(unknown)}")
    missing = [key for key in ("from", "to", "port", "expected") if data.get(key) is None]
    if missing:
        raise QueryError(f"transport claim is missing: {', '.join(missing)}")
    if data["expected"] not in EXPECTED:
        raise QueryError(f"transport claim 'expected' must be one of {', '.join(EXPECTED)}, "
                         f"not {quote(data['expected'])}")
    for key in ("from", "to", "pod"):
        if data.get(key) is not None and not isinstance(data[key], str):
            raise QueryError(f"transport claim {key!r} must be 'namespace/name', "
                             f"not {quote(data[key])}")
    client = cluster.pod(data["from"])
    service = find_service(cluster, data["to"])
    service_port = _service_port(service, data["port"])
    endpoints = [p for p in cluster.pods if service.selects(p.ref.namespace, p.labels)]
    if data.get("pod") is not None:
        wanted = cluster.pod(data["pod"]).ref
        endpoints = [p for p in endpoints if p.ref == wanted]
        if not endpoints:
            raise QueryError(f"pod {wanted} is not an endpoint of Service {service.key}")
    endpoints = [p for p in endpoints if p.ref != client.ref]
    if not endpoints:
        raise QueryError(f"Service {service.key} selects no pod other than the client")
    found = []
    for server in endpoints:
        port = _target(service, service_port, server)
        verdict = evaluate(cluster, client.ref, server.ref, port, service_port.protocol)
        if not verdict.allowed:
            found.append((server.ref, "denied by NetworkPolicy", tuple(verdict.explain())))
            continue
        result = transport(cluster, client, service, service_port, server, port,
                           root_namespace=root_namespace, disabled=disabled)
        found.append((server.ref, result.outcome, result.reasons))
    check = TransportCheck(data["expected"], tuple(found))
    return check.holds, check


def transport_records(
    cluster: Cluster,
    records: Iterable[dict[str, Any]],
    *,
    root_namespace: str = ROOT_NAMESPACE,
) -> list[dict[str, Any]]:
    """``matrix_to_records`` rows with ``"transport"`` added: null where NetworkPolicy denies,
    else one entry per Service that targets the port (service, service_port, outcome, reasons).
    """
    out = []
    memo = Memo(cluster, root_namespace)
    for row in records:
        entry = dict(row)
        if not row["allowed"]:
            entry["transport"] = None
        else:
            found = transports(cluster, row["from"], row["to"], row["port"], row["protocol"],
                               memo=memo)
            entry["transport"] = [t.as_record() for t in found]
        out.append(entry)
    return out


def _service_port(service: Service, port: Any) -> ServicePort:
    if isinstance(port, bool) or not isinstance(port, int | str):
        raise QueryError(f"port must be a Service port number or name, not {quote(port)}")
    for sp in service.ports:
        if sp.port == port or (sp.name is not None and sp.name == port) or \
                (isinstance(port, str) and port.isdigit() and sp.port == int(port)):
            return sp
    raise QueryError(f"Service {service.key} has no port {quote(port)}")


def _target(service: Service, sp: ServicePort, server: Pod) -> int:
    if isinstance(sp.target, int):
        return sp.target
    number = server.named_port(sp.target, sp.protocol)
    if number is None:
        raise QueryError(f"Service {service.key} port {sp.port} targets {quote(sp.target)}, "
                         f"which pod {server.ref} does not declare")
    return number


def _as_mapping(claim: Any) -> Mapping[str, Any]:
    if isinstance(claim, Mapping):
        return claim
    as_mapping = getattr(claim, "as_mapping", None)
    if callable(as_mapping):
        return as_mapping()
    dump = getattr(claim, "model_dump", None)
    if callable(dump):
        return dump(by_alias=True, exclude_none=True)
    raise QueryError(f"a transport claim must be a mapping, not {type(claim).__name__}")
