"""Reading Services, PeerAuthentications and DestinationRules (and the one pod annotation the
mesh evaluator notes) from parsed manifests, failing with a positioned ManifestError."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

from quiz.netpol.mesh_objects import (
    INJECT_ANNOTATION,
    MTLS_MODES,
    TLS_MODES,
    ZERO_TIME,
    DestinationRule,
    MtlsMode,
    PeerAuthentication,
    Service,
    ServicePort,
    TlsMode,
)
from quiz.netpol.policies import is_port_name, parse_port_number, parse_protocol
from quiz.netpol.reading import Loc, Reader
from quiz.textsafe import quote

M = TypeVar("M", bound=str)

MESH_API_VERSIONS: dict[str, tuple[str, ...]] = {
    "Service": ("v1",),
    "PeerAuthentication": ("security.istio.io/v1", "security.istio.io/v1beta1"),
    "DestinationRule": ("networking.istio.io/v1", "networking.istio.io/v1beta1",
                        "networking.istio.io/v1alpha3"),
}
MESH_LIST_KINDS = {"ServiceList", "PeerAuthenticationList", "DestinationRuleList"}
_SERVICE_PORT_FIELDS = ("port", "targetPort", "protocol", "name", "nodePort", "appProtocol")


def created(reader: Reader, meta: dict) -> datetime:
    """``metadata.creationTimestamp``, or Go's zero time when absent (it then sorts first)."""
    raw = meta.get("creationTimestamp")
    loc: Loc = ("metadata", "creationTimestamp")
    if raw is None:
        return ZERO_TIME
    if isinstance(raw, datetime):
        value = raw
    else:
        text = reader.string(raw, loc)
        try:
            value = datetime.fromisoformat(text)
        except ValueError:
            reader.fail(loc, f"not an RFC 3339 time: {quote(text)}")
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def pod_annotations(reader: Reader, meta: dict) -> dict[str, str]:
    """The pod annotations the evaluator reports on (only ``sidecar.istio.io/inject``)."""
    annotations = reader.mapping(meta.get("annotations"), ("metadata", "annotations"))
    if INJECT_ANNOTATION not in annotations:
        return {}
    value = reader.string(annotations[INJECT_ANNOTATION],
                          ("metadata", "annotations", INJECT_ANNOTATION), required=False)
    return {INJECT_ANNOTATION: value}


def parse_service(reader: Reader, namespace: str, name: str, obj: dict) -> Service:
    """A Service's selector and ports (``targetPort`` defaults to ``port``)."""
    spec = reader.mapping(obj.get("spec"), ("spec",))
    selector = None
    if spec.get("selector") is not None:
        selector = reader.labels(spec["selector"], ("spec", "selector"))
    ports: list[ServicePort] = []
    for i, raw in enumerate(reader.sequence(spec.get("ports"), ("spec", "ports"))):
        loc: Loc = ("spec", "ports", i)
        entry = reader.mapping(raw, loc, allowed=_SERVICE_PORT_FIELDS)
        if entry.get("port") is None:
            reader.fail((*loc, "port"), "is required")
        number = parse_port_number(reader, entry["port"], (*loc, "port"))
        target: int | str = number
        raw_target = entry.get("targetPort")
        if isinstance(raw_target, str) and not raw_target.isdigit():
            if not is_port_name(raw_target):
                reader.fail((*loc, "targetPort"), f"invalid port name {quote(raw_target)}")
            target = raw_target
        elif raw_target is not None:
            value = int(raw_target) if isinstance(raw_target, str) else raw_target
            target = parse_port_number(reader, value, (*loc, "targetPort"))
        protocol = parse_protocol(reader, entry.get("protocol"), (*loc, "protocol"))
        port_name = reader.string(entry.get("name"), (*loc, "name"), required=False) or None
        ports.append(ServicePort(number, target, protocol, port_name))
    headless = spec.get("clusterIP") == "None"
    return Service(namespace, name, selector, tuple(ports), headless)


def _mode(reader: Reader, mapping: dict, loc: Loc, modes: Sequence[M], what: str) -> M:
    """``mapping["mode"]``, one of ``modes`` (an error naming them otherwise)."""
    text = reader.string(mapping["mode"], (*loc, "mode"))
    for mode in modes:
        if text == mode:
            return mode
    reader.fail((*loc, "mode"), f"unknown {what} mode {quote(text)} (expected one of: "
                                f"{', '.join(modes)})")


def _mtls_mode(reader: Reader, raw: Any, loc: Loc) -> MtlsMode:
    mapping = reader.mapping(raw, loc, allowed=("mode",))
    if mapping.get("mode") is None:
        return "UNSET"
    return _mode(reader, mapping, loc, MTLS_MODES, "mTLS")


def parse_peer_authentication(reader: Reader, namespace: str, name: str,
                              obj: dict, meta: dict) -> PeerAuthentication:
    """A PeerAuthentication: selector labels, mode and ``portLevelMtls`` by container port."""
    spec = reader.mapping(obj.get("spec"), ("spec",),
                          allowed=("selector", "mtls", "portLevelMtls"))
    labels = None
    if spec.get("selector") is not None:
        selector = reader.mapping(spec["selector"], ("spec", "selector"),
                                  allowed=("matchLabels",))
        labels = reader.labels(selector.get("matchLabels"), ("spec", "selector", "matchLabels"))
    mode = _mtls_mode(reader, spec.get("mtls"), ("spec", "mtls"))
    port_modes: dict[int, MtlsMode] | None = None
    if spec.get("portLevelMtls") is not None:
        port_modes = {}
        for key, value in _int_keyed(reader, spec["portLevelMtls"]).items():
            number = int(key) if isinstance(key, str) and key.isdigit() else key
            loc: Loc = ("spec", "portLevelMtls", str(key))
            port = parse_port_number(reader, number, loc)
            port_modes[port] = _mtls_mode(reader, value, loc)
    return PeerAuthentication(namespace, name, labels, mode, port_modes, created(reader, meta))


def _int_keyed(reader: Reader, raw: Any) -> dict:
    """``portLevelMtls`` is keyed by numbers, which the generic mapping reader refuses."""
    loc: Loc = ("spec", "portLevelMtls")
    if not isinstance(raw, dict):
        reader.fail(loc, "must be a mapping of port numbers to {mode}")
    reader.spend(len(raw), loc)
    return raw


def _tls_mode(reader: Reader, raw: Any, loc: Loc) -> TlsMode | None:
    mapping = reader.mapping(raw, loc)
    if mapping.get("mode") is None:
        return None
    return _mode(reader, mapping, loc, TLS_MODES, "TLS")


def parse_destination_rule(reader: Reader, namespace: str, name: str,
                           obj: dict, meta: dict) -> DestinationRule:
    """A DestinationRule's host, exportTo, workloadSelector and TLS modes (top and per port)."""
    spec = reader.mapping(obj.get("spec"), ("spec",))
    host = reader.string(spec.get("host"), ("spec", "host"))
    export_to = tuple(reader.string(v, ("spec", "exportTo", i))
                      for i, v in enumerate(reader.sequence(spec.get("exportTo"),
                                                            ("spec", "exportTo"))))
    workload = None
    if spec.get("workloadSelector") is not None:
        selector = reader.mapping(spec["workloadSelector"], ("spec", "workloadSelector"))
        workload = reader.labels(selector.get("matchLabels"),
                                 ("spec", "workloadSelector", "matchLabels"))
    policy = reader.mapping(spec.get("trafficPolicy"), ("spec", "trafficPolicy"))
    tls = _tls_mode(reader, policy.get("tls"), ("spec", "trafficPolicy", "tls"))
    port_tls: dict[int, TlsMode | None] = {}
    settings_loc: Loc = ("spec", "trafficPolicy", "portLevelSettings")
    for i, raw in enumerate(reader.sequence(policy.get("portLevelSettings"), settings_loc)):
        loc: Loc = (*settings_loc, i)
        entry = reader.mapping(raw, loc)
        port = reader.mapping(entry.get("port"), (*loc, "port"), allowed=("number",))
        if port.get("number") is None:
            reader.fail((*loc, "port", "number"), "is required")
        number = parse_port_number(reader, port["number"], (*loc, "port", "number"))
        port_tls.setdefault(number, _tls_mode(reader, entry.get("tls"), (*loc, "tls")))
    return DestinationRule(namespace, name, host, export_to, tls, port_tls or None, workload,
                           created(reader, meta), spec.get("trafficPolicy") is not None)
