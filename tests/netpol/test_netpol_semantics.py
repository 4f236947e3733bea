"""NetworkPolicy semantics, case by case, as the Kubernetes docs describe them.

Each scenario lives in tests/data/netpol/; each test asks one question about one connection
and checks the outcome together with the reason the evaluator gives for it.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from quiz.netpol import (
    Cluster,
    RuleRef,
    UnknownPortError,
    Verdict,
    evaluate,
    load_manifests_file,
)

DATA = Path(__file__).parent.parent / "data" / "netpol"


@cache
def scenario(name: str) -> Cluster:
    return load_manifests_file(DATA / f"{name}.yaml")


def ingress_of(v: Verdict) -> tuple[bool, tuple[str, ...], tuple[RuleRef, ...]]:
    return v.allowed, v.ingress.isolated_by, v.ingress.matched


def egress_of(v: Verdict) -> tuple[bool, tuple[str, ...], tuple[RuleRef, ...]]:
    return v.allowed, v.egress.isolated_by, v.egress.matched


# --- default deny --------------------------------------------------------------------------


def test_deny_all_ingress_blocks_callers_from_other_namespaces() -> None:
    v = evaluate(scenario("deny-all-ingress"), "lab/probe", "shop/cart", 8080)
    assert ingress_of(v) == (False, ("shop/deny-ingress",), ())


def test_deny_all_ingress_leaves_egress_and_other_namespaces_open() -> None:
    v = evaluate(scenario("deny-all-ingress"), "shop/cart", "lab/probe", 9000)
    assert (v.allowed, v.egress.isolated, v.ingress.isolated) == (True, False, False)


def test_a_pod_cannot_block_traffic_to_itself() -> None:
    v = evaluate(scenario("deny-all-ingress"), "shop/cart", "shop/cart", 8080)
    assert (v.allowed, v.self_traffic, v.ingress.allowed) == (True, True, False)


def test_ingress_allow_is_not_enough_when_the_caller_egress_is_locked() -> None:
    v = evaluate(scenario("deny-all-then-allow"), "bank/teller", "bank/ledger", 5432,
                 disabled_policies={"bank/teller-calls-ledger"})
    assert (v.allowed, v.egress.allowed, v.ingress.matched) == (
        False, False, (RuleRef("bank/ledger-accepts-teller", "ingress", 0),))


def test_ingress_and_egress_allows_together_open_the_path() -> None:
    v = evaluate(scenario("deny-all-then-allow"), "bank/teller", "bank/ledger", 5432)
    assert (v.allowed, v.egress.matched) == (
        True, (RuleRef("bank/teller-calls-ledger", "egress", 0),))


def test_the_reverse_direction_stays_locked_on_both_sides() -> None:
    v = evaluate(scenario("deny-all-then-allow"), "bank/ledger", "bank/teller", 7000)
    assert (v.allowed, v.egress.allowed, v.ingress.allowed) == (False, False, False)


def test_explanation_names_the_side_that_denied() -> None:
    v = evaluate(scenario("deny-all-then-allow"), "bank/teller", "bank/ledger", 5432,
                 disabled_policies={"bank/teller-calls-ledger"})
    assert v.explain()[:2] == [
        "bank/teller -> bank/ledger on 5432/TCP: DENIED",
        "egress from bank/teller: denied, isolated by bank/lockdown and no egress rule matches",
    ]


# --- peers: AND within one peer, OR across peers -------------------------------------------


@pytest.mark.parametrize(("src", "allowed"), [
    ("qa/worker", True),     # qa namespace AND worker label
    ("qa/fuzzer", False),    # right namespace, wrong pod
    ("prod/worker", False),  # right pod, wrong namespace
])
def test_namespace_and_pod_selector_in_one_peer_must_both_match(src: str, allowed: bool) -> None:
    v = evaluate(scenario("peers-and-or"), src, "prod/orders-db", 5432)
    assert v.allowed is allowed


@pytest.mark.parametrize("src", ["qa/fuzzer", "prod/worker"])
def test_separate_peers_allow_either_match(src: str) -> None:
    v = evaluate(scenario("peers-and-or"), src, "prod/sessions", 6379)
    assert ingress_of(v) == (True, ("prod/sessions-from-qa-or-workers",),
                             (RuleRef("prod/sessions-from-qa-or-workers", "ingress", 0),))


def test_pod_selector_alone_only_looks_in_the_policy_namespace() -> None:
    v = evaluate(scenario("peers-and-or"), "qa/worker", "prod/front", 80)
    assert ingress_of(v) == (False, ("prod/front-from-local-workers",), ())


# --- policyTypes defaulting ----------------------------------------------------------------


def test_policy_with_only_egress_rules_and_no_policy_types_also_isolates_ingress() -> None:
    v = evaluate(scenario("policy-types"), "default/smtp", "default/mailer", 2525)
    assert ingress_of(v) == (False, ("default/mailer-egress-only-rules",), ())


def test_policy_with_only_egress_rules_and_no_policy_types_isolates_egress() -> None:
    v = evaluate(scenario("policy-types"), "default/mailer", "default/crawler", 8000)
    assert egress_of(v) == (False, ("default/mailer-egress-only-rules",), ())


def test_explicit_egress_policy_type_leaves_ingress_open() -> None:
    v = evaluate(scenario("policy-types"), "default/smtp", "default/crawler", 8000)
    assert (v.allowed, v.ingress.isolated, v.egress.isolated) == (True, False, False)


def test_empty_egress_list_without_policy_types_does_not_isolate_egress() -> None:
    v = evaluate(scenario("policy-types"), "default/printer", "default/smtp", 25)
    assert (v.allowed, v.egress.isolated) == (True, False)


def test_empty_egress_list_without_policy_types_still_isolates_ingress() -> None:
    v = evaluate(scenario("policy-types"), "default/smtp", "default/printer", 631)
    assert ingress_of(v) == (False, ("default/printer-empty-egress",), ())


# --- ingress: [] versus ingress: [{}] ------------------------------------------------------


def test_empty_ingress_list_admits_nothing() -> None:
    v = evaluate(scenario("ingress-empty-vs-open"), "visitor", "vault", 8200)
    assert ingress_of(v) == (False, ("default/vault-closed",), ())


def test_one_empty_ingress_rule_admits_any_source_on_any_port() -> None:
    v = evaluate(scenario("ingress-empty-vs-open"), "visitor", "kiosk", 31337, "UDP")
    assert ingress_of(v) == (True, ("default/kiosk-open",),
                             (RuleRef("default/kiosk-open", "ingress", 0),))


# --- ports ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("dst", "port", "allowed"), [
    ("site/web-blue", 8080, True),    # web-blue's "http"
    ("site/web-blue", 9090, False),   # 9090 is web-blue's "metrics", not its "http"
    ("site/web-green", 9090, True),   # web-green's "http"
])
def test_named_policy_port_resolves_against_the_destination_pod(
        dst: str, port: int, allowed: bool) -> None:
    assert evaluate(scenario("named-ports"), "site/resolver", dst, port).allowed is allowed


def test_query_by_port_name_uses_the_destination_number() -> None:
    v = evaluate(scenario("named-ports"), "site/resolver", "site/web-green", "http")
    assert (v.allowed, v.port, v.port_name) == (True, 9090, "http")


def test_named_egress_port_resolves_against_the_peer_pod() -> None:
    v = evaluate(scenario("named-ports"), "site/stub", "site/resolver", 53, "UDP")
    assert egress_of(v) == (True, ("site/stub-udp-dns-out",),
                            (RuleRef("site/stub-udp-dns-out", "egress", 0),))


def test_named_port_must_match_the_protocol_too() -> None:
    # The rule says port "dns" with the default TCP; resolver's "dns" is UDP.
    v = evaluate(scenario("named-ports"), "site/browser", "site/resolver", 53, "UDP")
    assert egress_of(v) == (False, ("site/browser-dns-out-tcp-default",), ())


def test_asking_for_a_port_name_the_destination_lacks_is_an_error() -> None:
    with pytest.raises(UnknownPortError, match="site/browser declares no TCP .* 'http'"):
        evaluate(scenario("named-ports"), "site/resolver", "site/browser", "http")


@pytest.mark.parametrize(("port", "allowed"), [(31999, False), (32000, True), (32768, True),
                                               (32769, False)])
def test_end_port_range_is_inclusive(port: int, allowed: bool) -> None:
    assert evaluate(scenario("ports"), "media/admin", "media/relay", port).allowed is allowed


@pytest.mark.parametrize(("protocol", "allowed"), [("SCTP", True), ("TCP", False)])
def test_port_protocol_must_match(protocol: str, allowed: bool) -> None:
    v = evaluate(scenario("ports"), "media/admin", "media/relay", 9000, protocol)
    assert v.allowed is allowed


def test_port_entry_with_only_a_protocol_covers_every_port_of_it() -> None:
    assert evaluate(scenario("ports"), "media/admin", "media/relay", 5, "UDP").allowed is True


@pytest.mark.parametrize(("src", "port", "allowed"), [
    ("media/admin", 80, True), ("media/admin", 81, False),
    ("media/ops", 81, True), ("media/ops", 80, False),
])
def test_rules_of_several_policies_add_up(src: str, port: int, allowed: bool) -> None:
    assert evaluate(scenario("ports"), src, "media/api", port).allowed is allowed


# --- ipBlock -------------------------------------------------------------------------------


@pytest.mark.parametrize(("src", "allowed"), [
    ("edge/inside", True),       # 10.20.3.4 in 10.20.0.0/16
    ("edge/carved-out", False),  # 10.20.99.7 is in the except range
    ("edge/pending", False),     # no IP yet: an ipBlock cannot match it
    ("edge/six", True),          # fd00:20::15 in fd00:20::/64
    ("edge/elsewhere", False),   # 172.16.0.9 outside both blocks
])
def test_ip_block_matches_pod_ips_minus_exceptions(src: str, allowed: bool) -> None:
    assert evaluate(scenario("ip-block"), src, "edge/gateway", 443).allowed is allowed


# --- label selector operators --------------------------------------------------------------


@pytest.mark.parametrize(("src", "door", "allowed"), [
    ("caller-prod", "door-in", True),
    ("caller-dev", "door-in", False),
    ("caller-bare", "door-notin", True),      # NotIn matches a pod without the key
    ("caller-prod", "door-notin", False),
    ("caller-dev", "door-exists", True),
    ("caller-bare", "door-exists", False),
    ("caller-bare", "door-absent", True),
    ("caller-dev", "door-absent", False),
    ("caller-prod", "door-both", True),       # tier=web AND env in (prod, staging)
    ("caller-api", "door-both", False),       # env matches, tier does not
    ("caller-dev", "door-both", False),       # tier matches, env does not
])
def test_match_expressions_operators(src: str, door: str, allowed: bool) -> None:
    assert evaluate(scenario("expressions"), src, door, 80).allowed is allowed


# --- namespaces ----------------------------------------------------------------------------


@pytest.mark.parametrize(("src", "allowed"), [
    ("analytics/report", True),   # declared Namespace, label added automatically
    ("tools/debug", True),        # no Namespace object: implied, same label
    ("payments/refund", False),   # the policy's own namespace is not listed
])
def test_namespace_selector_by_metadata_name_label(src: str, allowed: bool) -> None:
    assert evaluate(scenario("namespace-names"), src, "payments/charge", 8443).allowed is allowed
