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
from quiz.netpol.index import classes_of
from quiz.netpol.json_dump import load_dump
from quiz.netpol.limits import (
    MAX_FILE_BYTES,
    MAX_LIST_DEPTH,
    MAX_LOCATED_JSON_BYTES,
    MAX_YAML_VALUES,
    Budget,
    check_cluster_size,
    check_grouping_cost,
    check_pod_count,
    is_json,
    read_manifest_file,
)
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
    ClusterNetworkPolicy,
    ContainerPort,
    IPAddress,
    Namespace,
    NetworkPolicy,
    Pod,
    PodRef,
)
from quiz.netpol.policies import (
    is_port_name,
    parse_cluster_policy,
    parse_policy,
    parse_port_number,
    parse_protocol,
)
from quiz.netpol.positions import StreamLocator, YamlLoader
from quiz.netpol.reading import Loc, Locate, Reader
from quiz.safeyaml import refused_character, value_marks
from quiz.textsafe import printable, quote, shorten

API_VERSIONS = {"Namespace": "v1", "Pod": "v1", "NetworkPolicy": "networking.k8s.io/v1"}
LIST_KINDS = {"List", "NamespaceList", "PodList", "NetworkPolicyList"}
CNP_KIND = "ClusterNetworkPolicy"
API_VERSIONS[CNP_KIND] = "policy.networking.k8s.io/v1alpha2"
LIST_KINDS.add("ClusterNetworkPolicyList")
# Workloads contribute one pod: their pod template, named after them (see _Builder._workloads).
WORKLOADS = {"Deployment": "apps/v1", "StatefulSet": "apps/v1", "DaemonSet": "apps/v1",
             "ReplicaSet": "apps/v1", "Job": "batch/v1", "CronJob": "batch/v1"}
API_VERSIONS.update(WORKLOADS)
LIST_KINDS.update(f"{kind}List" for kind in WORKLOADS)
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
    """Load manifests from YAML text (one or more documents), or JSON (``kubectl -o json``)."""
    if is_json(text):
        try:
            document = load_dump(text, origin)  # in C: a 30 MB dump in under a second
        except (ValueError, RecursionError):
            pass  # not JSON after all (or too deep): the YAML reader names the place
        else:
            # Positions come from composing the text as YAML, only on an error: not worth it
            # for a large dump (a million `{}` took 11 s and 450 MB; errors then name the path).
            locate = StreamLocator(text) if len(text) <= MAX_LOCATED_JSON_BYTES else None
            return _Builder(origin, locate).build([((0,), document)])
    elif len(text) > MAX_FILE_BYTES:
        raise ManifestError(origin, None, None, f"too large for the lab: over "
                                                f"{MAX_FILE_BYTES // 2**20} MiB of YAML")
    elif len(text) > MAX_YAML_VALUES and (values := value_marks(text)) > MAX_YAML_VALUES:
        raise ManifestError(origin, None, None, (
            f"too large for the lab: about {values:,} YAML values (at most "
            f"{MAX_YAML_VALUES:,}); `kubectl get ... -o json` is read much faster"))
    try:
        documents = list(yaml.load_all(text, Loader=YamlLoader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark is not None else (None, None)
        problem = exc.problem or exc.context or "invalid YAML"
        raise ManifestError(origin, line, col, f"YAML syntax error: {problem}") from None
    except yaml.reader.ReaderError as exc:  # a raw control character, refused by libyaml
        line, col, char = refused_character(text, exc)
        raise ManifestError(origin, line, col, f"the control character {printable(char)}: "
                                               "manifests are text without control characters"
                            ) from None
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
    cluster_policies: dict[str, ClusterNetworkPolicy] = field(default_factory=dict)
    ignored: dict[str, int] = field(default_factory=dict)  # kind -> objects skipped
    workloads: list[_Workload] = field(default_factory=list)
    owners: dict[PodRef, tuple[tuple[str, str], ...]] = field(default_factory=dict)

    def build(self, objects: list[tuple[Loc, Any]]) -> Cluster:
        for loc, obj in objects:
            self._object(loc, obj)
        notes = self._add_workload_pods()
        check_pod_count(self.origin, len(self.pods))
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
        cluster_policies = tuple(sorted(self.cluster_policies.values(), key=_cnp_order))
        portless = sum(not pod.ports for pod in pods)
        if portless and len(pods) > 1:
            notes.append(f"{portless} of {len(pods)} pods declare no container port: "
                         "sources only (a row, no column)")
        if self.ignored:
            counts = sorted(self.ignored.items(), key=lambda item: (-item[1], item[0]))
            notes.append("ignored: " + ", ".join(f"{n} {printable(shorten(kind, 60))}"
                                                 for kind, n in counts))
        cluster = Cluster(dict(sorted(namespaces.items())), pods, policies, self.origin,
                          services=tuple(o for o in mesh if isinstance(o, Service)),
                          peer_authentications=tuple(
                              o for o in mesh if isinstance(o, PeerAuthentication)),
                          destination_rules=tuple(
                              o for o in mesh if isinstance(o, DestinationRule)),
                          cluster_policies=cluster_policies, notes=tuple(notes))
        # What the evaluator will cost: it works on classes of alike pods (index.classes_of),
        # so 3,000 replicas of 30 workloads cost about as much as 30 pods.
        check_grouping_cost(self.origin, sum(bool(p.ips) for p in pods), _cidr_count(cluster))
        representatives = classes_of(cluster).representatives.pods
        check_cluster_size(
            self.origin, pods=len(representatives), namespaces=len(namespaces) + 1,
            ports=sum(len(p.ports) for p in representatives),
            ips=sum(len(p.ips) for p in representatives),
            policy_entries=self.policy_entries + len(self.policies) + len(self.cluster_policies))
        return cluster

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
        # A ConfigMap, a Secret ...: counted in one note.
        if kind not in API_VERSIONS and kind not in MESH_API_VERSIONS:
            self.ignored[kind] = self.ignored.get(kind, 0) + 1
            return
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
        if kind == CNP_KIND:  # cluster-scoped: a metadata.namespace is ignored, as kubectl does
            self._cluster_policy(reader, obj, name)
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
        elif kind in WORKLOADS:
            self._workload(reader, obj, kind, PodRef(namespace, name), meta)
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

    def _cluster_policy(self, reader: Reader, obj: dict, name: str) -> None:
        _check_name(reader, ("metadata", "name"), name, _DNS_SUBDOMAIN)
        reader.label = f"{CNP_KIND} {name}"
        if name in self.cluster_policies:
            reader.fail(("metadata", "name"), f"duplicate {CNP_KIND} {name}")
        before = self.budget.spent
        self.cluster_policies[name] = parse_cluster_policy(reader, name, obj.get("spec"))
        self.policy_entries += self.budget.spent - before

    def _workload(self, reader: Reader, obj: dict, kind: str, ref: PodRef, meta: dict) -> None:
        spec = reader.mapping(obj.get("spec"), ("spec",))
        loc: Loc = ("spec",)
        if kind == "CronJob":
            job = reader.mapping(spec.get("jobTemplate"), ("spec", "jobTemplate"))
            spec = reader.mapping(job.get("spec"), ("spec", "jobTemplate", "spec"))
            loc = ("spec", "jobTemplate", "spec")
        template = reader.mapping(spec.get("template"), (*loc, "template"))
        if not template:
            reader.fail((*loc, "template"), "is required (the pod template)")
        template_meta = reader.mapping(template.get("metadata"), (*loc, "template", "metadata"))
        labels = reader.labels(template_meta.get("labels"), (*loc, "template", "metadata",
                                                              "labels"))
        ports = self._container_ports(reader, template, (*loc, "template"))
        self.workloads.append(_Workload(kind, ref, Pod(ref, labels, ports),
                                        _owner_refs(reader, meta)))

    def _add_workload_pods(self) -> list[str]:
        """One pod per workload, unless real pods of it are loaded (they win) or it is owned by
        a workload also loaded (a Deployment's ReplicaSet, a CronJob's Job)."""
        present = {(w.kind, w.ref) for w in self.workloads}
        owned: set[tuple[str, PodRef]] = set()
        for w in self.workloads:  # ReplicaSets and Jobs whose owner is in the file too
            for owner_kind, owner_name in w.owners:
                if (owner_kind, PodRef(w.ref.namespace, owner_name)) in present:
                    owned.add((w.kind, w.ref))
        parents = {(w.kind, w.ref): w.owners for w in self.workloads}
        with_pods: set[tuple[str, PodRef]] = set()
        for pod_ref, owners in self.owners.items():
            labels = self.pods[pod_ref].labels
            for owner_kind, owner_name in owners:
                key = (owner_kind, PodRef(pod_ref.namespace, owner_name))
                with_pods.add(key)
                for parent_kind, parent_name in parents.get(key, ()):
                    with_pods.add((parent_kind, PodRef(pod_ref.namespace, parent_name)))
                # A Deployment names its ReplicaSets <deployment>-<pod-template-hash>, so a pod
                # shows its Deployment even when the dump has no ReplicaSets.
                template_hash = labels.get("pod-template-hash")
                suffix = f"-{template_hash}"
                if owner_kind == "ReplicaSet" and template_hash and owner_name.endswith(suffix):
                    deployment = owner_name[: -len(suffix)]
                    with_pods.add(("Deployment", PodRef(pod_ref.namespace, deployment)))
        notes: list[str] = []
        skipped: dict[str, int] = {}
        for w in self.workloads:
            key = (w.kind, w.ref)
            if key in owned or key in with_pods:
                skipped[w.kind] = skipped.get(w.kind, 0) + 1
            elif w.ref in self.pods:
                notes.append(f"{w.kind} {printable(shorten(str(w.ref), 120))} adds no pod: a "
                             "pod of that name is already loaded")
            else:
                self.pods[w.ref] = w.pod
        if skipped:
            counts = ", ".join(f"{n} {kind}" for kind, n in sorted(skipped.items()))
            notes.append(f"{counts} added no pod: their own pods (or workloads) are loaded")
        if self.workloads:
            added = len(self.workloads) - sum(skipped.values())
            notes.insert(0, f"{added} workload pod template(s) loaded as one pod each, "
                            "named after the workload")
        return notes

    def _container_ports(self, reader: Reader, template: dict, loc: Loc) -> tuple[ContainerPort,
                                                                                  ...]:
        spec = reader.mapping(template.get("spec"), (*loc, "spec"))
        ports: list[ContainerPort] = []
        containers = reader.sequence(spec.get("containers"), (*loc, "spec", "containers"))
        for c, raw_container in enumerate(containers):
            container = reader.mapping(raw_container, (*loc, "spec", "containers", c))
            ports_loc: Loc = (*loc, "spec", "containers", c, "ports")
            for i, raw_port in enumerate(reader.sequence(container.get("ports"), ports_loc)):
                ports.append(_container_port(reader, raw_port, (*ports_loc, i)))
        return tuple(dict.fromkeys(ports))

    def _pod(self, reader: Reader, obj: dict, ref: PodRef, meta: dict) -> None:
        if ref in self.pods:
            reader.fail(("metadata", "name"), f"duplicate Pod {ref}")
        labels = reader.labels(meta.get("labels"), ("metadata", "labels"))
        owners = _owner_refs(reader, meta)
        if owners:
            self.owners[ref] = owners
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


@dataclass(frozen=True)
class _Workload:
    kind: str
    ref: PodRef
    pod: Pod  # the pod template, named after the workload
    owners: tuple[tuple[str, str], ...]


def _owner_refs(reader: Reader, meta: dict) -> tuple[tuple[str, str], ...]:
    """``(kind, name)`` of each ``metadata.ownerReferences`` entry (same namespace)."""
    found = []
    loc: Loc = ("metadata", "ownerReferences")
    for i, raw in enumerate(reader.sequence(meta.get("ownerReferences"), loc)):
        entry = reader.mapping(raw, (*loc, i))
        found.append((reader.string(entry.get("kind"), (*loc, i, "kind")),
                      reader.string(entry.get("name"), (*loc, i, "name"))))
    return tuple(found)


def _cidr_count(cluster: Cluster) -> int:
    count = sum(1 + len(peer.ip_block.excepts) for policy in cluster.policies
                for rule in (*policy.ingress, *policy.egress) for peer in rule.peers
                if peer.ip_block is not None)
    return count + sum(len(peer.networks) for cnp in cluster.cluster_policies
                       for rule in cnp.egress for peer in rule.peers)


def _cnp_order(policy: ClusterNetworkPolicy) -> tuple[int, int, str]:
    """Admin before Baseline, then lower priority first; equal priorities by name, which the
    API leaves undefined (the verdict says so when it matters)."""
    return (0 if policy.tier == "Admin" else 1, policy.priority, policy.name)


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
