"""The policy lab: the matrix of the bundled example, toggling policies, the explanation pane,
the way in from a scenario question's feedback, and one snapshot at 80x24."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from textual.app import App
from textual.binding import Binding
from textual.pilot import Pilot

from quiz import netpol, paths
from quiz.bank import load_bank
from quiz.store import Store
from quiz.tui.app import make_app
from quiz.tui.lab_app import LabApp, make_lab_app
from quiz.tui.screens.feedback import FeedbackScreen
from quiz.tui.screens.lab import LabScreen
from quiz.tui.screens.question import QuestionScreen
from quiz.tui.widgets.policy_list import PolicyList
from quiz.tui.widgets.reach_matrix import ALLOWED, DENIED, SELF, ReachMatrix
from quiz.tui.widgets.verdict_view import VerdictView
from tests.conftest import Clock
from tests.tui.conftest import AppFactory, keys_for, screen_text
from tests.tui.test_tui_bindings import EATEN

SCENARIO_BANK = Path(__file__).parent.parent / "data" / "banks" / "scenario"
SIZE = (80, 24)


def example_app() -> LabApp:
    """``quiz lab`` with no file: the bundled three-namespace example."""
    path = paths.lab_example()
    return make_lab_app(netpol.load_manifests_file(path), path)


def cell(app: App[None], src: str, dst: str) -> str:
    """The mark in the matrix for ``src`` → ``dst`` (``ns/pod:port``)."""
    matrix = app.screen.query_one(ReachMatrix)
    return matrix.get_cell(src, column_key(matrix, dst)).plain


def column_key(matrix: ReachMatrix, dst: str) -> str:
    (number,) = [n for n, t in enumerate(matrix.targets) if str(t) == dst]
    return str(number)


async def toggle(pilot: Pilot, key: str) -> None:
    """Focus the policy list, highlight ``key`` and press space."""
    policies = pilot.app.screen.query_one(PolicyList)
    policies.focus()
    policies.highlighted = [p.key for p in policies.policies].index(key)
    await pilot.press("space")
    await pilot.pause()


async def test_matrix_of_the_example_and_its_flow_count() -> None:
    app = example_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, LabScreen)
        assert cell(app, "web/storefront", "data/postgres:5432") == DENIED
        assert cell(app, "api/orders", "data/postgres:5432") == ALLOWED
        assert cell(app, "web/storefront", "api/orders:8443") == ALLOWED
        assert cell(app, "web/debug", "api/orders:8443") == DENIED
        assert cell(app, "data/postgres", "data/postgres:5432") == SELF
        # web/debug declares no port: a row, but no column.
        matrix = app.screen.query_one(ReachMatrix)
        assert [str(t) for t in matrix.targets] == [
            "api/orders:8443", "data/postgres:5432", "web/storefront:8080"]
        text = screen_text(app)
        assert "5 of 9 flows allowed" in text
        assert "data/default-deny-ingress" in text and "api/orders-from-storefront" in text
        assert "esc Quit" in text and "a Enable all" in text and "tab" in text


async def test_toggling_policies_recomputes_the_matrix_at_once() -> None:
    app = example_app()
    async with app.run_test(size=SIZE) as pilot:
        # postgres-from-orders still selects postgres for ingress: switching the default deny
        # off changes nothing for the storefront.
        await toggle(pilot, "data/default-deny-ingress")
        assert not app.screen.toggles.is_enabled("data/default-deny-ingress")
        assert cell(app, "web/storefront", "data/postgres:5432") == DENIED
        assert cell(app, "api/orders", "data/postgres:5432") == ALLOWED
        assert "5 of 9 flows allowed" in screen_text(app)
        assert "off" in screen_text(app)
        # With both off nothing isolates postgres any more.
        await toggle(pilot, "data/postgres-from-orders")
        assert cell(app, "web/storefront", "data/postgres:5432") == ALLOWED
        assert cell(app, "web/debug", "data/postgres:5432") == ALLOWED
        assert "7 of 9 flows allowed" in screen_text(app)
        # Enter turns one back on; `a` turns every policy back on.
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.toggles.is_enabled("data/postgres-from-orders")
        assert cell(app, "web/storefront", "data/postgres:5432") == DENIED
        await pilot.press("a")
        await pilot.pause()
        assert app.screen.toggles.disabled == set()
        assert cell(app, "web/storefront", "data/postgres:5432") == DENIED
        assert "5 of 9 flows allowed" in screen_text(app)
        # A click on the third policy turns it off: orders is open to every pod again.
        await pilot.click(PolicyList, offset=(8, 2))
        await pilot.pause()
        assert not app.screen.toggles.is_enabled("api/orders-from-storefront")
        assert cell(app, "web/debug", "api/orders:8443") == ALLOWED


async def test_the_highlighted_cell_is_explained() -> None:
    app = example_app()
    async with app.run_test(size=SIZE) as pilot:
        matrix = app.screen.query_one(ReachMatrix)
        assert app.focused is matrix
        row = matrix.sources.index(netpol.PodRef("web", "storefront"))
        column = int(column_key(matrix, "data/postgres:5432"))
        matrix.move_cursor(row=row, column=column)
        await pilot.pause()
        detail = app.screen.query_one(VerdictView).text
        assert "web/storefront -> data/postgres on 5432/TCP (pg): DENIED" in detail
        assert ("ingress to data/postgres: denied, isolated by data/default-deny-ingress, "
                "data/postgres-from-orders and no ingress rule matches") in detail
        assert "egress from web/storefront: allowed" in detail
        # The arrow keys move the cursor: up one row is web/debug, also denied.
        await pilot.press("up")
        await pilot.pause()
        assert "web/debug -> data/postgres" in app.screen.query_one(VerdictView).text
        # api/orders is let in by the rule of postgres-from-orders.
        matrix.move_cursor(row=matrix.sources.index(netpol.PodRef("api", "orders")))
        await pilot.pause()
        detail = app.screen.query_one(VerdictView).text
        assert "allowed by data/postgres-from-orders spec.ingress[0]" in detail
        assert "allowed by data/postgres-from-orders" in screen_text(app)  # on screen, too


async def test_tab_moves_between_matrix_and_policies_and_q_quits() -> None:
    app = example_app()
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.focused, ReachMatrix)
        await pilot.press("tab")
        assert isinstance(app.focused, PolicyList)
        assert "space Toggle" in screen_text(app)
        await pilot.press("tab")
        assert isinstance(app.focused, ReachMatrix)
        await pilot.press("q")
        await pilot.pause()
        assert app.return_code == 0 and not app.is_running


async def test_feedback_of_a_scenario_question_opens_the_lab(store: Store, clock: Clock) -> None:
    app = make_app(load_bank([SCENARIO_BANK]), store, now=clock, rng=random.Random(7),
                   start="practice")
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, QuestionScreen)
        await pilot.press(*keys_for(screen.showing), "enter")
        await pilot.pause()
        assert isinstance(app.screen, FeedbackScreen)
        assert "l Open in lab" in screen_text(app)
        await pilot.press("l")
        await pilot.pause()
        assert isinstance(app.screen, LabScreen)
        assert cell(app, "shop/web", "shop/db:5432") == ALLOWED
        assert cell(app, "shop/debug", "shop/db:5432") == DENIED
        text = screen_text(app)
        assert "scenario of sc-deny-ingress" in text and "esc Back" in text
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, FeedbackScreen)


async def test_no_lab_key_for_a_question_without_scenario(make: AppFactory) -> None:
    app = make("review")
    async with app.run_test(size=(120, 30)) as pilot:
        screen = app.screen
        assert isinstance(screen, QuestionScreen) and screen.showing.question.scenario is None
        await pilot.press(*keys_for(screen.showing), "enter")
        await pilot.pause()
        assert isinstance(app.screen, FeedbackScreen)
        assert "Open in lab" not in screen_text(app)
        await pilot.press("l")
        await pilot.pause()
        assert isinstance(app.screen, FeedbackScreen)


async def test_manifest_text_is_shown_literally() -> None:
    # Kubernetes names cannot hold brackets, but the file name can.
    cluster = netpol.load_manifests_file(paths.lab_example())
    app = make_lab_app(cluster, "[red]shop.yaml")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "Policy lab  [red]shop.yaml" in screen_text(app)


@pytest.mark.parametrize("owner", [LabScreen, PolicyList, ReachMatrix], ids=lambda c: c.__name__)
def test_no_lab_binding_uses_a_key_terminals_eat(owner: type) -> None:
    for binding in owner.BINDINGS:
        assert isinstance(binding, Binding)
        assert not set(binding.key.split(",")) & EATEN, (owner, binding)


def test_snapshot_of_the_example(snap_compare) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(example_app(), terminal_size=SIZE)


NO_PORTS = """\
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: shop, labels: {app: client}}
spec: {containers: [{name: c, image: busybox}]}
---
apiVersion: v1
kind: Pod
metadata: {name: server, namespace: shop, labels: {app: server}}
spec: {containers: [{name: s, image: nginx}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-all, namespace: shop}
spec: {podSelector: {}, policyTypes: [Ingress]}
"""


async def test_a_cluster_whose_pods_declare_no_port_opens_and_says_so(tmp_path: Path) -> None:
    # Real pods often declare no containerPort: the lab once crashed drawing the count.
    path = tmp_path / "no-ports.yaml"
    path.write_text(NO_PORTS)
    app = make_lab_app(netpol.load_manifests_file(path), path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, LabScreen)
        text = screen_text(app)
        assert "no flows: no pod declares a container port" in text
        assert "there is no flow to explain" in app.screen.query_one(VerdictView).text
        assert "shop/deny-all" in text
        await pilot.press("escape")
        await pilot.pause()
    assert app.return_code == 0


def test_a_crash_in_the_lab_exits_non_zero(monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    # Textual prints its crash report and returns normally: run_lab must turn it into a status.
    from quiz.tui import run

    def broken(self: LabScreen) -> None:
        raise RuntimeError("drawing failed")

    monkeypatch.setattr(LabScreen, "recompute", broken)
    monkeypatch.setattr(LabApp, "run", lambda self: App.run(self, headless=True, size=SIZE))
    path = paths.lab_example()
    with pytest.raises(SystemExit) as exited:
        run.run_lab(netpol.load_manifests_file(path), path)
    assert exited.value.code == 1
