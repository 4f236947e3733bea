"""The bundled ClusterNetworkPolicy example (question_bank/scenarios/admin-tiers.yaml) does
what its opening comments promise: an Admin Deny that a namespace's NetworkPolicy cannot undo,
an Admin Pass handed to NetworkPolicy, and a Baseline default deny."""

from __future__ import annotations

from pathlib import Path

import pytest

from quiz import netpol

EXAMPLE = Path(__file__).resolve().parents[1] / "question_bank" / "scenarios" / "admin-tiers.yaml"


@pytest.fixture(scope="module")
def cluster() -> netpol.Cluster:
    return netpol.load_manifests_text(EXAMPLE.read_text(), origin=str(EXAMPLE))


@pytest.mark.parametrize(("src", "dst", "allowed", "decided_by"), [
    ("sandbox/tester", "payments/api", False, "admin"),       # Deny beats allow-from-tenants
    ("shop/web", "payments/api", True, "networkpolicy"),
    ("shop/web", "shop/cart", True, "networkpolicy"),         # Admin Pass, then cart-from-web
    ("shop/cart", "shop/web", False, "baseline"),             # Pass, nothing selects web
    ("sandbox/tester", "shop/web", False, "admin"),           # shop-closed-to-others
    ("shop/web", "sandbox/tester", False, "baseline"),
    ("payments/api", "sandbox/tester", False, "baseline"),
])
def test_the_example_decides_as_its_comments_say(cluster: netpol.Cluster, src: str, dst: str,
                                                  allowed: bool, decided_by: str) -> None:
    verdict = netpol.evaluate(cluster, src, dst, 8080, "TCP")
    assert verdict.allowed is allowed
    assert verdict.ingress.decided_by == decided_by


def test_the_admin_deny_is_what_keeps_sandbox_out(cluster: netpol.Cluster) -> None:
    """The payments owner's NetworkPolicy admits sandbox: only the Admin tier stops it."""
    off = {"cnp:sandbox-not-to-payments"}
    assert netpol.evaluate(cluster, "sandbox/tester", "payments/api", 8080, "TCP",
                           disabled_policies=off).allowed


def test_without_the_pass_shop_internal_traffic_hits_the_admin_deny(
        cluster: netpol.Cluster) -> None:
    off = {"cnp:shop-decides-shop"}
    verdict = netpol.evaluate(cluster, "shop/web", "shop/cart", 8080, "TCP",
                              disabled_policies=off)
    assert not verdict.allowed
    assert "shop-closed-to-others" in " ".join(verdict.explain())


def test_without_the_baseline_unselected_pods_accept_everyone(cluster: netpol.Cluster) -> None:
    off = {"cnp:default-deny"}
    assert netpol.evaluate(cluster, "shop/web", "sandbox/tester", 8080, "TCP",
                           disabled_policies=off).allowed
