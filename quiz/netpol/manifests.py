"""Loading Namespaces, Pods and NetworkPolicies into a :class:`Cluster`.

Accepts what ``kubectl get ns,pods,netpol -A -o yaml`` prints (a ``kind: List``), multi-document
streams and lists of mappings embedded in a question. Fast path: libyaml's safe loader, no node
tree; only a failure composes the stream again to find the line and column.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from quiz.netpol.errors import ManifestError
from quiz.netpol.limits import MAX_LIST_DEPTH, Budget, check_cluster_size, read_manifest_file
from quiz.netpol.mesh_objects import DestinationRule, PeerAuthentication, Service
from quiz.netpol.mesh_reading import (
    MESH_API_VERSIONS,
    MESH_LIST_KINDS,
    parse_destination_rule,
    parse_peer_authentication,
    parse_service,
    pod_annotations,
)
from quiz.netpol.model import (
    DEFAULT_NAMESPACE,
    NAME_LABEL,
    Cluster,
    ContainerPort,
    IPAddress,
    Namespace,
    NetworkPolicy,
    Pod,
    PodRef,
)
from quiz.netpol.policies import is_port_name, parse_policy, parse_port_number, parse_protocol
from quiz.netpol.positions import StreamLocator, YamlLoader
from quiz.netpol.reading import Loc, Locate, Reader
from quiz.textsafe import printable, quote, shorten

API_VERSIONS = {"Namespace": "v1", "Pod": "v1", "NetworkPolicy": "networking.k8s.io/v1"}
LIST_KINDS = {"List", "NamespaceList", "PodList", "NetworkPolicyList"}
CONTAINER_PORT_FIELDS = ("containerPort", "name", "protocol", "hostPort", "hostIP")
_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$")


def load_manifests_file(path: str | Path) -> Cluster:
    """Load a YAML file of manifests; raises :class:`ManifestError` naming the faulty place.

    Only a regular file of at most ``limits.MAX_FILE_BYTES`` is read (a FIFO does not hang).
    """
    return load_manifests_text(read_manifest_file(path), origin=str(path))


def _parser_errors_named(load: Callable[[str, str], Cluster]) -> Callable[[str, str], Cluster]:
    """What the YAML parser raises outside ``yaml.YAMLError`` (a 5000-digit integer is a
    ValueError) becomes a ManifestError naming the file too."""

    @functools.wraps(load)
    def wrapper(text: str, origin: str = "<manifests>") -> Cluster:
        try:
            return load(text, origin)
        except ValueError as exc:
            detail = printable(shorten(str(exc), 120))
            raise ManifestError(origin, None, None, f"YAML error: {detail}") from None

    return wrapper


@_parser_errors_named
def load_manifests_text(text: str, origin: str = "<manifests>") -> Cluster:
    """Load manifests from YAML text (one or more documents)."""
    try:
        documents = list(yaml.load_all(text, Loader=YamlLoader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark is not None else (None, None)
        problem = exc.problem or exc.context or "invalid YAML"
        raise ManifestError(origin, line, col, f"YAML syntax error: {problem}") from None
    except yaml.YAMLError as exc:
        raise ManifestError(origin, None, None, f"YAML error: {exc}") from None
    objects = [((i,), doc) for i, doc in enumerate(documents) if doc is not None]
    return _Builder(origin, StreamLocator(text)).build(objects)


def cluster_from_objects(
    objects: Sequence[Any],
    origin: str = "<inline>",
    locate: Locate | None = None,
) -> Cluster:
    """A cluster from already-parsed manifest mappings (e.g. embedded in a question).

    ``locate``, if given, maps a location ``(object_index, key, ...)`` to a 1-based
    ``(line, col)`` for error messages; without it errors name the object index and field.
    """
    if not isinstance(objects, list | tuple):
        raise ManifestError(origin, None, None, "manifests must be a list of mappings")
    return _Builder(origin, locate).build([((i,), obj) for i, obj in enumerate(objects)])


@dataclass
class _Builder:
    origin: str
    locate: Locate | None
    namespaces: dict[str, Namespace] = field(default_factory=dict)
    pods: dict[PodRef, Pod] = field(default_factory=dict)
    policies: dict[str, tuple[NetworkPolicy, Reader, dict]] = field(default_factory=dict)
    budget: Budget = field(default_factory=Budget)
    mesh: dict[tuple[str, str], Service | PeerAuthentication | DestinationRule] = field(
        default_factory=dict)  # (kind, namespace/name) -> the mesh evaluator's objects
    policy_entries: int = 0  # what the policies read: their share of the evaluation's cost

    def build(self, objects: list[tuple[Loc, Any]]) -> Cluster:
        for loc, obj in objects:
            self._object(loc, obj)
        check_cluster_size(
            self.origin, pods=len(self.pods), namespaces=len(self.namespaces) + 1,
            ports=sum(len(p.ports) for p in self.pods.values()),
            ips=sum(len(p.ips) for p in self.pods.values()),
            policy_entries=self.policy_entries + len(self.policies))
        declared = bool(self.namespaces)
        for policy, reader, meta in self.policies.values():
            if declared and policy.namespace not in self.namespaces:
                where = ("metadata", "namespace") if "namespace" in meta else ("metadata",)
                reader.fail(where, f"namespace {quote(policy.namespace)} has no Namespace object "
                                   "(declare it, or declare no Namespace at all)")
        namespaces = dict(self.namespaces)
        used = [p.ref.namespace for p in self.pods.values()]
        used += [p.namespace for p, _, _ in self.policies.values()]
        used += [obj.namespace for obj in self.mesh.values()]
        for name in used:
            if name not in namespaces:
                namespaces[name] = Namespace(name, {NAME_LABEL: name}, declared=False)
        pods = tuple(sorted(self.pods.values(), key=lambda pod: pod.ref))
        policies = tuple(p for p, _, _ in self.policies.values())
        mesh = [obj for _, obj in sorted(self.mesh.items())]
        return Cluster(dict(sorted(namespaces.items())), pods, policies, self.origin,
                       services=tuple(o for o in mesh if isinstance(o, Service)),
                       peer_authentications=tuple(
                           o for o in mesh if isinstance(o, PeerAuthentication)),
                       destination_rules=tuple(o for o in mesh if isinstance(o, DestinationRule)))

    def _object(self, loc: Loc, obj: Any) -> None:
        reader = Reader(self.origin, loc, self.locate, budget=self.budget)
        if not isinstance(obj, dict):
            what = "a list" if isinstance(obj, list) else f"{type(obj).__name__} {quote(obj)}"
            reader.fail((), f"a manifest must be a mapping with a 'kind', not {what}")
        reader.spend(1, ())
        kind = obj.get("kind")
        if kind is None:
            reader.fail(("kind",), "missing 'kind'")
        if not isinstance(kind, str):
            reader.fail(("kind",), f"kind must be a string, not {quote(kind)}")
        if kind in LIST_KINDS or kind in MESH_LIST_KINDS:
            if loc.count("items") >= MAX_LIST_DEPTH:
                reader.fail(("kind",), f"a {kind} nested more than {MAX_LIST_DEPTH} deep "
                                       "(a List may hold Lists, but not that deep)")
            for i, item in enumerate(reader.sequence(obj.get("items"), ("items",))):
                self._object((*loc, "items", i), item)
            return
        if kind not in API_VERSIONS and kind not in MESH_API_VERSIONS:
            reader.fail(("kind",), f"unknown kind {quote(kind)}: only Namespace, Pod, "
                                   "NetworkPolicy, Service, PeerAuthentication, "
                                   "DestinationRule and List objects can be evaluated")
        version = obj.get("apiVersion")
        if kind in MESH_API_VERSIONS:
            if version is not None and version not in MESH_API_VERSIONS[kind]:
                reader.fail(("apiVersion",), f"unsupported apiVersion {quote(version)} for "
                            f"{kind} (expected {' or '.join(MESH_API_VERSIONS[kind])})")
        elif version is not None and version != API_VERSIONS[kind]:
            reader.fail(("apiVersion",), f"unsupported apiVersion {quote(version)} for {kind} "
                                         f"(expected {API_VERSIONS[kind]})")
        reader.label = kind
        meta = reader.mapping(obj.get("metadata"), ("metadata",))
        name = reader.string(meta.get("name"), ("metadata", "name"))
        if kind == "Namespace":
            self._namespace(reader, name, meta)
            return
        namespace = reader.string(meta.get("namespace"), ("metadata", "namespace"),
                                  required=False) or DEFAULT_NAMESPACE
        _check_name(reader, ("metadata", "namespace"), namespace, _DNS_LABEL)
        _check_name(reader, ("metadata", "name"), name, _DNS_SUBDOMAIN)
        reader.label = f"{kind} {namespace}/{name}"
        if kind in MESH_API_VERSIONS:
            self._mesh(reader, kind, namespace, name, obj, meta)
        elif kind == "Pod":
            self._pod(reader, obj, PodRef(namespace, name), meta)
        else:
            key = f"{namespace}/{name}"
            if key in self.policies:
                reader.fail(("metadata", "name"), f"duplicate NetworkPolicy {key}")
            before = self.budget.spent
            policy = parse_policy(reader, namespace, name, obj.get("spec"))
            self.policy_entries += self.budget.spent - before
            self.policies[key] = (policy, reader, meta)

    def _mesh(self, reader: Reader, kind: str, namespace: str, name: str, obj: dict,
              meta: dict) -> None:
        key = (kind, f"{namespace}/{name}")
        if key in self.mesh:
            reader.fail(("metadata", "name"), f"duplicate {kind} {namespace}/{name}")
        if kind == "Service":
            self.mesh[key] = parse_service(reader, namespace, name, obj)
        elif kind == "PeerAuthentication":
            self.mesh[key] = parse_peer_authentication(reader, namespace, name, obj, meta)
        else:
            self.mesh[key] = parse_destination_rule(reader, namespace, name, obj, meta)

    def _namespace(self, reader: Reader, name: str, meta: dict) -> None:
        _check_name(reader, ("metadata", "name"), name, _DNS_LABEL)
        reader.label = f"Namespace {name}"
        if name in self.namespaces:
            reader.fail(("metadata", "name"), f"duplicate Namespace {name}")
        labels = reader.labels(meta.get("labels"), ("metadata", "labels"))
        labels[NAME_LABEL] = name  # the API server always sets it to the name
        self.namespaces[name] = Namespace(name, labels)

    def _pod(self, reader: Reader, obj: dict, ref: PodRef, meta: dict) -> None:
        if ref in self.pods:
            reader.fail(("metadata", "name"), f"duplicate Pod {ref}")
        labels = reader.labels(meta.get("labels"), ("metadata", "labels"))
        spec = reader.mapping(obj.get("spec"), ("spec",))
        ports: list[ContainerPort] = []
        containers = reader.sequence(spec.get("containers"), ("spec", "containers"))
        for c, raw_container in enumerate(containers):
            container = reader.mapping(raw_container, ("spec", "containers", c))
            loc: Loc = ("spec", "containers", c, "ports")
            for i, raw_port in enumerate(reader.sequence(container.get("ports"), loc)):
                ports.append(_container_port(reader, raw_port, (*loc, i)))
        status = reader.mapping(obj.get("status"), ("status",))
        self.pods[ref] = Pod(ref, labels, tuple(dict.fromkeys(ports)), _pod_ips(reader, status),
                             pod_annotations(reader, meta))


def _container_port(reader: Reader, raw: Any, loc: Loc) -> ContainerPort:
    mapping = reader.mapping(raw, loc, allowed=CONTAINER_PORT_FIELDS)
    if mapping.get("containerPort") is None:
        reader.fail((*loc, "containerPort"), "is required")
    number = parse_port_number(reader, mapping["containerPort"], (*loc, "containerPort"))
    protocol = parse_protocol(reader, mapping.get("protocol"), (*loc, "protocol"))
    name = reader.string(mapping.get("name"), (*loc, "name"), required=False) or None
    if name is not None and not is_port_name(name):
        reader.fail((*loc, "name"), f"invalid port name {quote(name)}: a port name has 1-15 "
                                    "lowercase letters, digits or '-', with a letter")
    return ContainerPort(number, protocol, name)


def _pod_ips(reader: Reader, status: dict) -> tuple[IPAddress, ...]:
    found: list[tuple[Loc, Any]] = []
    if status.get("podIP") is not None:
        found.append((("status", "podIP"), status["podIP"]))
    for i, item in enumerate(reader.sequence(status.get("podIPs"), ("status", "podIPs"))):
        entry = reader.mapping(item, ("status", "podIPs", i))
        found.append((("status", "podIPs", i, "ip"), entry.get("ip")))
    ips: list[IPAddress] = []
    for loc, raw in found:
        text = reader.string(raw, loc)
        try:
            ips.append(ipaddress.ip_address(text))
        except ValueError:
            reader.fail(loc, f"invalid IP address {quote(text)}")
    return tuple(dict.fromkeys(ips))


def _check_name(reader: Reader, loc: Loc, name: str, pattern: re.Pattern[str]) -> None:
    if not pattern.match(name):
        reader.fail(loc, f"invalid name {quote(name)}: use lowercase letters, digits and '-'")
