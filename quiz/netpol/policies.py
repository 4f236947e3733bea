"""Reading a NetworkPolicy ``spec``, with the API server's validation and defaulting."""

from __future__ import annotations

import ipaddress
import re
from typing import Any

from quiz.netpol.model import (
    PROTOCOLS,
    Action,
    ClusterNetworkPolicy,
    CnpPeer,
    CnpPort,
    CnpRule,
    Direction,
    IPBlock,
    IPNetwork,
    NetworkPolicy,
    Peer,
    PolicyPort,
    Protocol,
    Rule,
    Tier,
)
from quiz.netpol.reading import Loc, Reader, kind_of
from quiz.netpol.selectors import LabelSelector, parse_selector
from quiz.textsafe import quote

SPEC_FIELDS = ("podSelector", "policyTypes", "ingress", "egress")
PEER_FIELDS = ("podSelector", "namespaceSelector", "ipBlock")
PORT_FIELDS = ("protocol", "port", "endPort")
POLICY_TYPES: dict[str, Direction] = {"Ingress": "ingress", "Egress": "egress"}
PEER_KEY: dict[Direction, str] = {"ingress": "from", "egress": "to"}

# IANA_SVC_NAME as Kubernetes validates it: at most 15 of [a-z0-9-], at least one letter,
# no hyphen at either end and no two hyphens in a row.
_PORT_NAME = re.compile(r"^(?=.*[a-z])(?!-)(?!.*--)[a-z0-9-]{1,15}(?<!-)$")


def is_port_name(text: str) -> bool:
    """Whether ``text`` is a valid named port (IANA service name syntax)."""
    return bool(_PORT_NAME.match(text))


def parse_policy(reader: Reader, namespace: str, name: str, raw_spec: Any) -> NetworkPolicy:
    """A NetworkPolicy from its ``spec`` (a missing spec or podSelector reads as ``{}``).

    policyTypes default as in the API server: always Ingress, plus Egress when the policy has
    a non-empty ``egress`` list.
    """
    spec = reader.mapping(raw_spec, ("spec",), allowed=SPEC_FIELDS)
    selector = parse_selector(reader, spec.get("podSelector"), ("spec", "podSelector"))
    types: set[Direction] = set()
    for i, raw in enumerate(reader.sequence(spec.get("policyTypes"), ("spec", "policyTypes"))):
        text = reader.string(raw, ("spec", "policyTypes", i))
        if text not in POLICY_TYPES:
            reader.fail(("spec", "policyTypes", i),
                        f"invalid policy type {quote(text)} (expected Ingress or Egress)")
        types.add(POLICY_TYPES[text])
    rules: dict[Direction, tuple[Rule, ...]] = {}
    for direction in ("ingress", "egress"):
        loc: Loc = ("spec", direction)
        items = reader.sequence(spec.get(direction), loc)
        rules[direction] = tuple(_rule(reader, item, (*loc, i), direction)
                                 for i, item in enumerate(items))
    if not types:
        types = {"ingress", "egress"} if rules["egress"] else {"ingress"}
    return NetworkPolicy(namespace, name, selector, frozenset(types),
                         rules["ingress"], rules["egress"])


def _rule(reader: Reader, raw: Any, loc: Loc, direction: Direction) -> Rule:
    peer_key = PEER_KEY[direction]
    other = PEER_KEY["egress" if direction == "ingress" else "ingress"]
    mapping = reader.mapping(raw, loc)
    if other in mapping:
        reader.fail((*loc, other),
                    f"unknown field {other!r}: {direction} rules use {peer_key!r}")
    reader.mapping(mapping, loc, allowed=(peer_key, "ports"))
    raw_peers = reader.sequence(mapping.get(peer_key), (*loc, peer_key))
    raw_ports = reader.sequence(mapping.get("ports"), (*loc, "ports"))
    peers = tuple(_peer(reader, item, (*loc, peer_key, i)) for i, item in enumerate(raw_peers))
    ports = tuple(_port(reader, item, (*loc, "ports", i)) for i, item in enumerate(raw_ports))
    return Rule(peers, ports)


def _peer(reader: Reader, raw: Any, loc: Loc) -> Peer:
    mapping = reader.mapping(raw, loc, allowed=PEER_FIELDS)
    present = [key for key in PEER_FIELDS if mapping.get(key) is not None]
    if not present:
        reader.fail(loc, "must specify a peer: podSelector, namespaceSelector or ipBlock")
    if "ipBlock" in present and len(present) > 1:
        reader.fail((*loc, "ipBlock"),
                    "ipBlock may not be combined with podSelector or namespaceSelector "
                    "in the same peer")
    if "ipBlock" in present:
        return Peer(ip_block=_ip_block(reader, mapping["ipBlock"], (*loc, "ipBlock")))
    selectors: dict[str, LabelSelector | None] = {
        key: parse_selector(reader, mapping[key], (*loc, key)) if key in present else None
        for key in ("podSelector", "namespaceSelector")
    }
    return Peer(selectors["podSelector"], selectors["namespaceSelector"])


def _ip_block(reader: Reader, raw: Any, loc: Loc) -> IPBlock:
    mapping = reader.mapping(raw, loc, allowed=("cidr", "except"))
    cidr = _cidr(reader, mapping.get("cidr"), (*loc, "cidr"))
    excepts = []
    for i, item in enumerate(reader.sequence(mapping.get("except"), (*loc, "except"))):
        block = _cidr(reader, item, (*loc, "except", i))
        inside = block.version == cidr.version and block.subnet_of(cidr)  # type: ignore[arg-type]
        if not inside or block.prefixlen <= cidr.prefixlen:
            reader.fail((*loc, "except", i),
                        f"except entry {block} must be a smaller range inside cidr {cidr}")
        excepts.append(block)
    return IPBlock(cidr, tuple(excepts))


def _cidr(reader: Reader, raw: Any, loc: Loc) -> IPNetwork:
    text = reader.string(raw, loc)
    if "/" not in text:
        reader.fail(loc, f"invalid CIDR {quote(text)}: write it with a prefix length, "
                         "e.g. 10.0.0.0/16")
    try:
        return ipaddress.ip_network(text, strict=False)
    except ValueError:
        reader.fail(loc, f"invalid CIDR {quote(text)}")


def _port(reader: Reader, raw: Any, loc: Loc) -> PolicyPort:
    mapping = reader.mapping(raw, loc, allowed=PORT_FIELDS)
    protocol = parse_protocol(reader, mapping.get("protocol"), (*loc, "protocol"))
    port = mapping.get("port")
    if port is not None:
        if isinstance(port, str):
            if not is_port_name(port):
                hint = " (write a number without quotes)" if port.isdigit() else ""
                reader.fail((*loc, "port"), f"invalid port name {quote(port)}: a port name has "
                            f"1-15 lowercase letters, digits or '-', with a letter{hint}")
        else:
            port = parse_port_number(reader, port, (*loc, "port"))
    end_port = mapping.get("endPort")
    if end_port is not None:
        end_port = parse_port_number(reader, end_port, (*loc, "endPort"))
        if port is None:
            reader.fail((*loc, "endPort"), "endPort needs a numeric port")
        if isinstance(port, str):
            reader.fail((*loc, "endPort"),
                        f"endPort needs a numeric port, not named port {quote(port)}")
        if end_port < port:
            reader.fail((*loc, "endPort"), f"endPort {end_port} is smaller than port {port}")
    return PolicyPort(protocol, port, end_port)


def parse_protocol(reader: Reader, raw: Any, loc: Loc) -> Protocol:
    """TCP (the default), UDP or SCTP, spelled exactly as Kubernetes spells them."""
    if raw is None:
        return "TCP"
    text = reader.string(raw, loc)
    for known in PROTOCOLS:
        if text == known:
            return known
    reader.fail(loc, f"invalid protocol {quote(text)} (expected TCP, UDP or SCTP)")


def parse_port_number(reader: Reader, raw: Any, loc: Loc) -> int:
    """A port number 1-65535 (booleans and strings are errors)."""
    if isinstance(raw, bool) or not isinstance(raw, int):
        reader.fail(loc, f"must be a port number (a whole number 1-65535), not {kind_of(raw)}")
    if not 1 <= raw <= 65535:
        reader.fail(loc, f"port {quote(raw)} is out of range 1-65535")
    return raw


# --- ClusterNetworkPolicy (policy.networking.k8s.io/v1alpha2) ------------------------------
# Field names, bounds and "exactly one of" rules follow apis/v1alpha2/clusternetworkpolicy_types.go
# of kubernetes-sigs/network-policy-api; the CRD's validation is applied here.

CNP_SPEC_FIELDS = ("tier", "priority", "subject", "ingress", "egress")
CNP_TIERS: tuple[Tier, ...] = ("Admin", "Baseline")
CNP_ACTIONS: tuple[Action, ...] = ("Accept", "Deny", "Pass")
CNP_MAX_RULES = 25  # +kubebuilder:validation:MaxItems=25 on ingress, egress, from/to, protocols
CNP_MAX_PRIORITY = 1000
CNP_UNSUPPORTED_PEERS = {
    "nodes": "nodes peers are not evaluated: the lab has no Node objects and their IPs",
    "domainNames": "domainNames peers are not evaluated: the lab resolves no DNS names",
}
CNP_PROTOCOLS: dict[str, Protocol] = {"tcp": "TCP", "udp": "UDP", "sctp": "SCTP"}


def parse_cluster_policy(reader: Reader, name: str, raw_spec: Any) -> ClusterNetworkPolicy:
    """A ClusterNetworkPolicy from its ``spec``: tier, priority and subject are required."""
    spec = reader.mapping(raw_spec, ("spec",), allowed=CNP_SPEC_FIELDS)
    if raw_spec is None:
        reader.fail(("spec",), "is required")
    tier_text = reader.string(spec.get("tier"), ("spec", "tier"))
    tier = next((t for t in CNP_TIERS if t == tier_text), None)
    if tier is None:
        reader.fail(("spec", "tier"), f"invalid tier {quote(tier_text)} (expected Admin or "
                                      "Baseline)")
    priority = spec.get("priority")
    if priority is None:
        reader.fail(("spec", "priority"), "is required")
    if isinstance(priority, bool) or not isinstance(priority, int):
        reader.fail(("spec", "priority"), f"must be a whole number, not {kind_of(priority)}")
    if not 0 <= priority <= CNP_MAX_PRIORITY:
        reader.fail(("spec", "priority"),
                    f"priority {quote(priority)} is out of range 0-{CNP_MAX_PRIORITY}")
    if spec.get("subject") is None:
        reader.fail(("spec", "subject"), "is required")
    subject = _cnp_peer(reader, spec["subject"], ("spec", "subject"), ("namespaces", "pods"))
    rules: dict[Direction, tuple[CnpRule, ...]] = {}
    for direction in ("ingress", "egress"):
        loc: Loc = ("spec", direction)
        items = reader.sequence(spec.get(direction), loc)
        if len(items) > CNP_MAX_RULES:
            reader.fail(loc, f"at most {CNP_MAX_RULES} rules, not {len(items)}")
        rules[direction] = tuple(_cnp_rule(reader, item, (*loc, i), direction)
                                 for i, item in enumerate(items))
    return ClusterNetworkPolicy(name, tier, priority, subject, rules["ingress"], rules["egress"])


def _cnp_rule(reader: Reader, raw: Any, loc: Loc, direction: Direction) -> CnpRule:
    peer_key = PEER_KEY[direction]
    mapping = reader.mapping(raw, loc, allowed=("name", "action", peer_key, "protocols"))
    rule_name = reader.string(mapping.get("name"), (*loc, "name"), required=False)
    if len(rule_name) > 100:
        reader.fail((*loc, "name"), "a rule name has at most 100 characters")
    action_text = reader.string(mapping.get("action"), (*loc, "action"))
    action = next((a for a in CNP_ACTIONS if a == action_text), None)
    if action is None:
        reader.fail((*loc, "action"),
                    f"invalid action {quote(action_text)} (expected Accept, Deny or Pass)")
    raw_peers = reader.sequence(mapping.get(peer_key), (*loc, peer_key))
    if not raw_peers:
        reader.fail((*loc, peer_key), f"needs at least one peer in {peer_key!r}")
    fields = ("namespaces", "pods") if direction == "ingress" else (
        "namespaces", "pods", "networks", "nodes", "domainNames")
    peers = []
    for i, item in enumerate(_bounded(reader, raw_peers, (*loc, peer_key))):
        peers.append(_cnp_peer(reader, item, (*loc, peer_key, i), fields))
    raw_ports = reader.sequence(mapping.get("protocols"), (*loc, "protocols"))
    if "protocols" in mapping and not raw_ports:
        reader.fail((*loc, "protocols"), "needs at least one entry (leave it out for all ports)")
    ports = tuple(_cnp_port(reader, item, (*loc, "protocols", i))
                  for i, item in enumerate(_bounded(reader, raw_ports, (*loc, "protocols"))))
    if ports and any(p.networks for p in peers) and any(p.name for p in ports):
        reader.fail((*loc, "protocols"),
                    "networks peers cannot be used with destinationNamedPort")
    return CnpRule(action, tuple(peers), ports, rule_name)


def _bounded(reader: Reader, items: list, loc: Loc) -> list:
    if len(items) > CNP_MAX_RULES:
        reader.fail(loc, f"at most {CNP_MAX_RULES} entries, not {len(items)}")
    return items


def _cnp_peer(reader: Reader, raw: Any, loc: Loc, fields: tuple[str, ...]) -> CnpPeer:
    """Exactly one of ``fields``; an unsupported peer kind is refused, never guessed."""
    mapping = reader.mapping(raw, loc, allowed=fields)
    present = [key for key in fields if key in mapping]
    if len(present) != 1:
        reader.fail(loc, f"set exactly one of: {', '.join(fields)}")
    key = present[0]
    if key in CNP_UNSUPPORTED_PEERS:
        reader.fail((*loc, key), CNP_UNSUPPORTED_PEERS[key])
    if key == "namespaces":
        return CnpPeer(parse_selector(reader, mapping[key], (*loc, key)))
    if key == "networks":
        cidrs = reader.sequence(mapping[key], (*loc, key))
        if not cidrs:
            reader.fail((*loc, key), "needs at least one CIDR")
        return CnpPeer(networks=tuple(
            _cidr(reader, item, (*loc, key, i))
            for i, item in enumerate(_bounded(reader, cidrs, (*loc, key)))))
    pods = reader.mapping(mapping[key], (*loc, key), allowed=("namespaceSelector", "podSelector"))
    if pods.get("podSelector") is None:
        reader.fail((*loc, key, "podSelector"), "is required (write {} for every pod)")
    return CnpPeer(parse_selector(reader, pods.get("namespaceSelector"),
                                  (*loc, key, "namespaceSelector")),
                   parse_selector(reader, pods["podSelector"], (*loc, key, "podSelector")))


def _cnp_port(reader: Reader, raw: Any, loc: Loc) -> CnpPort:
    fields = (*CNP_PROTOCOLS, "destinationNamedPort")
    mapping = reader.mapping(raw, loc, allowed=fields)
    present = [key for key in fields if key in mapping]
    if len(present) != 1:
        reader.fail(loc, f"set exactly one of: {', '.join(fields)}")
    key = present[0]
    if key == "destinationNamedPort":
        name = reader.string(mapping[key], (*loc, key))
        if not is_port_name(name):
            reader.fail((*loc, key), f"invalid port name {quote(name)}")
        return CnpPort(None, name=name)
    protocol = CNP_PROTOCOLS[key]
    inner = reader.mapping(mapping[key], (*loc, key), allowed=("destinationPort",))
    port_loc: Loc = (*loc, key, "destinationPort")
    if inner.get("destinationPort") is None:
        reader.fail(port_loc, "is required")
    port = reader.mapping(inner["destinationPort"], port_loc, allowed=("number", "range"))
    if len(port) != 1:
        reader.fail(port_loc, "set exactly one of: number, range")
    if "number" in port:
        return CnpPort(protocol, parse_port_number(reader, port["number"], (*port_loc, "number")))
    span = reader.mapping(port["range"], (*port_loc, "range"), allowed=("start", "end"))
    for field_name in ("start", "end"):
        if span.get(field_name) is None:
            reader.fail((*port_loc, "range", field_name), "is required")
    start = parse_port_number(reader, span["start"], (*port_loc, "range", "start"))
    end = parse_port_number(reader, span["end"], (*port_loc, "range", "end"))
    if not start < end:
        reader.fail((*port_loc, "range"), f"start {start} must be less than end {end}")
    return CnpPort(protocol, start, end)
