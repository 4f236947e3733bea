"""Whether one connection is allowed, and why: the source's egress side and the
destination's ingress side must both allow it.

A pod talking to itself is always allowed: the Kubernetes docs list "a pod cannot block access
to itself" as an exception to NetworkPolicy; the two sides are still computed and shown.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from quiz.netpol.errors import QueryError, UnknownPortError
from quiz.netpol.index import ClusterIndex, CompiledCnp, classes_of, index_of
from quiz.netpol.model import PROTOCOLS, Action, Cluster, Direction, Pod, PodRef, Protocol, Tier
from quiz.textsafe import quote


@dataclass(frozen=True, order=True)
class RuleRef:
    """One rule of one policy, e.g. ``default/allow-web spec.ingress[0]``."""

    policy: str
    direction: Direction
    index: int

    def __str__(self) -> str:
        return f"{self.policy} spec.{self.direction}[{self.index}]"


@dataclass(frozen=True)
class TierDecision:
    """The first ClusterNetworkPolicy rule of a tier that matched the flow, and its action."""

    tier: Tier
    rule: RuleRef
    action: Action
    rule_name: str = ""
    tie: str = ""  # another policy of the same priority that would decide otherwise

    @property
    def final(self) -> bool:
        """Accept and Deny end the evaluation; Pass hands it to the next tier."""
        return self.action != "Pass"

    def __str__(self) -> str:
        name = f" ({self.rule_name})" if self.rule_name else ""
        text = f"{self.tier} tier {self.rule}{name}: {self.action}"
        if self.tie:
            text += (f" (ambiguous: {self.tie} has the same priority and another action; the "
                     "API leaves the choice to the implementation)")
        return text


@dataclass(frozen=True)
class SideVerdict:
    """The decision of one side: egress of the source, or ingress of the destination.

    With ClusterNetworkPolicies the tiers are read in order (network-policy-api, "Tiers"):
    the Admin tier, then the NetworkPolicies (final for the pods they isolate), then the
    Baseline tier, then the default: allowed.
    """

    direction: Direction
    pod: PodRef
    isolated_by: tuple[str, ...]
    matched: tuple[RuleRef, ...]
    admin: TierDecision | None = None
    baseline: TierDecision | None = None

    @property
    def isolated(self) -> bool:
        """Whether some policy selecting the pod has this direction in its policyTypes."""
        return bool(self.isolated_by)

    @property
    def decided_by(self) -> str:
        """Which tier decided: "admin", "networkpolicy", "baseline" or "default"."""
        if self.admin is not None and self.admin.final:
            return "admin"
        if self.isolated_by:
            return "networkpolicy"
        if self.baseline is not None and self.baseline.final:
            return "baseline"
        return "default"

    @property
    def allowed(self) -> bool:
        """Not isolated, or isolated and at least one rule of the isolating policies matched;
        a final (Accept or Deny) Admin or Baseline tier decision where one applies."""
        decided = self.decided_by
        if decided == "admin":
            return self.admin is not None and self.admin.action == "Accept"
        if decided == "networkpolicy":
            return bool(self.matched)
        if decided == "baseline":
            return self.baseline is not None and self.baseline.action == "Accept"
        return True

    def explain(self) -> str:
        """One sentence saying what this side decided and because of which policies."""
        where = f"{self.direction} {'from' if self.direction == 'egress' else 'to'} {self.pod}"
        decided = self.decided_by
        passed = f"{self.admin}, then " if self.admin is not None and not self.final_admin else ""
        if decided == "admin":
            outcome = "allowed" if self.allowed else "denied"
            return f"{where}: {outcome} by {self.admin}, which ends the evaluation"
        if decided == "baseline":
            outcome = "allowed" if self.allowed else "denied"
            return (f"{where}: {passed}no NetworkPolicy isolates the pod; {outcome} by "
                    f"{self.baseline}")
        if not self.isolated_by:
            kind = self.direction.capitalize()
            tail = f"; {self.baseline}, then the default" if self.baseline is not None else ""
            return (f"{where}: {passed}allowed, no policy with {kind} in its policyTypes selects "
                    f"the pod{tail}")
        policies = ", ".join(self.isolated_by)
        if self.matched:
            rules = ", ".join(map(str, self.matched))
            return f"{where}: {passed}allowed by {rules} (pod isolated by {policies})"
        return (f"{where}: {passed}denied, isolated by {policies} and no {self.direction} rule "
                "matches")

    @property
    def final_admin(self) -> bool:
        return self.admin is not None and self.admin.final


@dataclass(frozen=True)
class Verdict:
    """Whether ``src`` may open a connection to ``dst`` on ``port``/``protocol``, and why."""

    src: PodRef
    dst: PodRef
    port: int
    protocol: Protocol
    port_name: str | None
    egress: SideVerdict
    ingress: SideVerdict

    @property
    def self_traffic(self) -> bool:
        """True when a pod talks to itself, which policies cannot block."""
        return self.src == self.dst

    @property
    def allowed(self) -> bool:
        """Both source egress and destination ingress allow it, or it is self traffic."""
        return self.self_traffic or (self.egress.allowed and self.ingress.allowed)

    def explain(self) -> list[str]:
        """Human-readable lines: the outcome first, then each side."""
        name = f" ({self.port_name})" if self.port_name else ""
        outcome = "ALLOWED" if self.allowed else "DENIED"
        lines = [f"{self.src} -> {self.dst} on {self.port}/{self.protocol}{name}: {outcome}"]
        if self.self_traffic:
            lines.append("a pod cannot block traffic to itself, whatever the policies say")
        return lines + [self.egress.explain(), self.ingress.explain()]


def evaluate(
    cluster: Cluster,
    src: PodRef | str,
    dst: PodRef | str,
    port: int | str,
    protocol: str = "TCP",
    *,
    disabled_policies: Collection[str] = frozenset(),
) -> Verdict:
    """The verdict for ``src`` connecting to ``dst`` on a port number or a named port of ``dst``.

    ``disabled_policies`` holds ``namespace/name`` keys of policies to ignore (the lab toggles).
    Raises :class:`UnknownPodError` or :class:`UnknownPortError` for a bad query.
    """
    source, target = cluster.pod(src), cluster.pod(dst)
    proto = check_protocol(protocol)
    number, name = resolve_port(target, port, proto)
    # Evaluated on the pods' classes (see index.classes_of): alike pods share one verdict.
    grouping = classes_of(cluster)
    index = index_of(grouping.representatives)
    s, d = grouping.class_of[source.ref], grouping.class_of[target.ref]
    egress = side(index, "egress", s, d, target, number, proto, disabled_policies, source.ref)
    ingress = side(index, "ingress", d, s, target, number, proto, disabled_policies, target.ref)
    return Verdict(source.ref, target.ref, number, proto, name, egress, ingress)


def side(
    index: ClusterIndex,
    direction: Direction,
    pod: int,
    peer: int,
    dst: Pod,
    number: int,
    protocol: str,
    disabled: Collection[str] = frozenset(),
    ref: PodRef | None = None,
) -> SideVerdict:
    """The verdict of one side for the pod at position ``pod`` and its peer at ``peer``
    (``ref`` names the pod when position ``pod`` is its class's representative)."""
    policies = index.isolating(direction, pod, disabled)
    matched = tuple(
        RuleRef(rule.policy, direction, rule.index)
        for cp in policies
        for rule in cp.rules(direction)
        if rule.matches(peer, dst, number, protocol)
    )
    ref = ref or index.pods[pod].ref
    admin = tier_decision(index.tier("Admin", direction, disabled), direction, pod, peer, dst,
                          number, protocol)
    baseline = None
    if (admin is None or not admin.final) and not policies:
        baseline = tier_decision(index.tier("Baseline", direction, disabled), direction, pod,
                                 peer, dst, number, protocol)
    return SideVerdict(direction, ref, tuple(cp.key for cp in policies), matched, admin,
                       baseline)


def tier_decision(policies: list[CompiledCnp], direction: Direction, pod: int, peer: int,
                  dst: Pod, number: int, protocol: str) -> TierDecision | None:
    """The first rule, by priority then rule order, of a policy selecting ``pod`` that matches
    the peer and port (network-policy-api: "Priorities", "Rules"); None when none does."""
    found: tuple[CompiledCnp, int] | None = None
    for cp in policies:
        if not (cp.selected >> pod) & 1:
            continue
        hit = next((rule for rule in cp.rules(direction)
                    if rule.matches(peer, dst, number, protocol)), None)
        if hit is None:
            continue
        if found is None:
            found = (cp, hit.index)
            continue
        first, index = found
        if cp.policy.priority != first.policy.priority:
            break
        if hit.rule.action != first.rules(direction)[index].rule.action:
            rule = first.rules(direction)[index].rule
            return TierDecision(first.policy.tier, RuleRef(first.key, direction, index),
                                rule.action, rule.name, tie=cp.key)
    if found is None:
        return None
    first, index = found
    rule = first.rules(direction)[index].rule
    return TierDecision(first.policy.tier, RuleRef(first.key, direction, index), rule.action,
                        rule.name)


def check_protocol(protocol: str) -> Protocol:
    """``protocol`` if it is TCP, UDP or SCTP; else QueryError."""
    for known in PROTOCOLS:
        if protocol == known:
            return known
    raise QueryError(f"unknown protocol {quote(protocol)} (expected TCP, UDP or SCTP)")


def resolve_port(dst: Pod, port: int | str, protocol: str) -> tuple[int, str | None]:
    """The port number and name for a query: a number, or a named container port of ``dst``."""
    if isinstance(port, bool) or not isinstance(port, int | str):
        raise QueryError(f"port must be a whole number 1-65535 or a port name, not {quote(port)}")
    if isinstance(port, str) and port.isdigit():
        port = int(port)
    if isinstance(port, int):
        if not 1 <= port <= 65535:
            raise QueryError(f"port {quote(port)} is out of range 1-65535")
        names = [p.name for p in dst.ports if p.number == port and p.protocol == protocol]
        return port, next((n for n in names if n), None)
    number = dst.named_port(port, protocol)
    if number is None:
        raise UnknownPortError(str(dst.ref), port, protocol)
    return number, port
