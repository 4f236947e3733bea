"""The lab's transport view (t): how each allowed flow of the bundled mesh example arrives under
Istio, PeerAuthentications and DestinationRules switched off and on, the reasons shown, and one
snapshot at 80x24."""

from __future__ import annotations

from pathlib import Path

from textual.app import App
from textual.pilot import Pilot

from quiz import netpol
from quiz.tui.lab_app import LabApp, make_lab_app
from quiz.tui.widgets.policy_list import PolicyList
from quiz.tui.widgets.reach_matrix import ALLOWED, DENIED, ReachMatrix
from quiz.tui.widgets.transport_view import MeshList, TransportView
from quiz.tui.widgets.verdict_view import VerdictView
from tests.tui.conftest import screen_text
from tests.tui.test_lab import cell, column_key, example_app

MESH = Path(__file__).resolve().parents[2] / "question_bank" / "scenarios" / \
    "mesh-three-namespaces.yaml"
SIZE = (80, 24)


def mesh_app() -> LabApp:
    return make_lab_app(netpol.load_manifests_file(MESH), MESH)


async def move_to(pilot: Pilot, src: str, dst: str) -> None:
    matrix = pilot.app.screen.query_one(ReachMatrix)
    matrix.focus()
    row = [str(s) for s in matrix.sources].index(src)
    matrix.move_cursor(row=row, column=int(column_key(matrix, dst)))
    await pilot.pause()


async def switch(pilot: Pilot, key: str) -> None:
    """Focus the mesh list, highlight ``key`` (``Kind ns/name``) and press space."""
    mesh = pilot.app.screen.query_one(MeshList)
    mesh.focus()
    mesh.highlighted = [f"{type(o).__name__} {o.key}" for o in mesh.objects].index(key)
    await pilot.press("space")
    await pilot.pause()


def transport_text(app: App[None]) -> str:
    return app.screen.query_one(TransportView).text


async def test_t_shows_who_talks_mtls_plaintext_or_is_refused() -> None:
    app = mesh_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert cell(app, "shop/web", "bank/teller:8080") == ALLOWED
        await pilot.press("t")
        await pilot.pause()
        assert cell(app, "shop/web", "bank/teller:8080") == "mTLS"
        assert cell(app, "tools/debug", "bank/teller:8080") == "refused"
        assert cell(app, "tools/debug", "shop/web:8080") == "plain"
        assert cell(app, "tools/debug", "bank/ledger:8080") == DENIED  # NetworkPolicy
        assert cell(app, "shop/web", "shop/legacy:8080") == "refused"
        text = screen_text(app)
        assert "PeerAuthentication bank/default" in text and "STRICT" in text
        assert "Policies: tab here" not in text  # the NetworkPolicy list gives way
        assert not app.screen.query_one(PolicyList).display
        assert not app.screen.query_one(VerdictView).display
        await pilot.press("t")  # and back
        await pilot.pause()
        assert cell(app, "tools/debug", "bank/teller:8080") == ALLOWED
        assert app.screen.query_one(VerdictView).display


async def test_the_reasons_of_the_highlighted_flow() -> None:
    app = mesh_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("t")
        await move_to(pilot, "tools/debug", "bank/teller:8080")
        text = transport_text(app)
        assert text.startswith("tools/debug -> bank/teller:8080 via bank/teller:80: rejected")
        assert "namespace-wide PeerAuthentication bank/default: STRICT" in text
        assert text.endswith("STRICT refuses plaintext")
        assert "bank/teller:80: rejected: STRICT" in screen_text(app)  # beside the outcome
        await move_to(pilot, "tools/debug", "bank/ledger:8080")
        assert "NetworkPolicy denies it" in transport_text(app)
        await move_to(pilot, "tools/scanner", "shop/web:8080")
        assert "deprecated" in transport_text(app)


async def test_switching_off_a_peerauthentication_or_destinationrule_recomputes() -> None:
    app = mesh_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("t")
        await pilot.pause()
        await switch(pilot, "PeerAuthentication bank/default")
        assert cell(app, "tools/debug", "bank/teller:8080") == "plain"  # PERMISSIVE default
        assert "  off" in screen_text(app)
        await switch(pilot, "DestinationRule shop/legacy-mtls")
        assert cell(app, "shop/web", "shop/legacy:8080") == "plain"  # auto mTLS: no sidecar
        await switch(pilot, "PeerAuthentication bank/default")  # back on
        assert cell(app, "tools/debug", "bank/teller:8080") == "refused"
        await pilot.press("a")  # enable all
        await pilot.pause()
        assert cell(app, "shop/web", "shop/legacy:8080") == "refused"
        await move_to(pilot, "shop/web", "shop/legacy:8080")
        assert "DestinationRule shop/legacy-mtls" in transport_text(app)


async def test_networkpolicy_toggles_still_count_in_the_transport_view() -> None:
    app = mesh_app()
    async with app.run_test(size=SIZE) as pilot:
        policies = app.screen.query_one(PolicyList)
        policies.focus()
        await pilot.press("space")  # bank/ledger-api off
        await pilot.pause()
        await pilot.press("t")
        await pilot.pause()
        assert cell(app, "tools/debug", "bank/ledger:8080") == "refused"  # now reaches STRICT


async def test_a_cluster_without_mesh_objects_says_so() -> None:
    app = example_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("t")
        await pilot.pause()
        assert "No PeerAuthentication or DestinationRule" in screen_text(app)
        assert cell(app, "api/orders", "data/postgres:5432") == "n/a"  # no Service: pod IP
        await move_to(pilot, "api/orders", "data/postgres:5432")
        assert "not evaluated" in transport_text(app)


def test_snapshot_of_the_transport_view(snap_compare) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot: Pilot) -> None:
        await pilot.press("t")
        await move_to(pilot, "tools/debug", "bank/teller:8080")

    assert snap_compare(mesh_app(), terminal_size=SIZE, run_before=run_before)
