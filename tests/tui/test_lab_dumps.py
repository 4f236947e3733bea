"""The lab on a cluster dump: the line-drawn matrix of a large cluster (arrows, namespace
filter), ClusterNetworkPolicies in the policy list, and the loading notes; 80x24 snapshot."""

from __future__ import annotations

from typing import Any

from quiz import netpol
from quiz.tui.lab_app import LabApp, make_lab_app
from quiz.tui.screens.lab import BIG_MATRIX_CELLS, LabScreen, NamespaceFilterModal
from quiz.tui.widgets.big_matrix import BigReachMatrix
from quiz.tui.widgets.reach_matrix import ALLOWED, DENIED, ReachMatrix
from quiz.tui.widgets.verdict_view import VerdictView
from tests.tui.conftest import screen_text
from tests.tui.test_lab import toggle

SIZE = (80, 24)
REPLICAS = int(BIG_MATRIX_CELLS ** 0.5) // 2 + 5  # per namespace: two make a large lab
CNP_API = "policy.networking.k8s.io/v1alpha2"


def dump(replicas: int = REPLICAS) -> list[dict[str, Any]]:
    """Two namespaces of web replicas, a ConfigMap, and an Admin policy keeping dev out of
    prod."""
    objects: list[dict[str, Any]] = [
        {"kind": "Namespace", "metadata": {"name": n, "labels": {"env": n}}}
        for n in ("dev", "prod")]
    for namespace in ("dev", "prod"):
        objects += [{"kind": "Pod", "metadata": {"name": f"web-{i:03}", "namespace": namespace,
                                                 "labels": {"app": "web"}},
                     "spec": {"containers": [{"ports": [{"containerPort": 80,
                                                         "name": "http"}]}]}}
                    for i in range(replicas)]
    objects.append({"kind": "ConfigMap", "metadata": {"name": "settings"}})
    objects.append({"apiVersion": CNP_API, "kind": "ClusterNetworkPolicy",
                    "metadata": {"name": "no-dev-in-prod"},
                    "spec": {"tier": "Admin", "priority": 10,
                             "subject": {"namespaces": {"matchLabels": {"env": "prod"}}},
                             "ingress": [{"action": "Deny", "from": [
                                 {"namespaces": {"matchLabels": {"env": "dev"}}}]}]}})
    return objects


def lab(objects: list[dict[str, Any]]) -> LabApp:
    return make_lab_app(netpol.cluster_from_objects(objects, origin="dump.yaml"), "dump.yaml")


async def test_a_large_lab_draws_the_matrix_line_by_line() -> None:
    app = lab(dump())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        matrix = app.screen.query_one(BigReachMatrix)
        assert not app.screen.query(ReachMatrix)
        pods = 2 * REPLICAS
        allowed = 2 * REPLICAS * (REPLICAS - 1) + REPLICAS * REPLICAS  # dev→dev, prod→*
        text = screen_text(app)
        assert f"{allowed:,} of {pods * (pods - 1):,} flows allowed" in text
        assert "ignored: 1 ConfigMap" in text
        assert "cnp:no-dev-in-prod  Admin 10, Ingress" in text
        # dev/web-000 -> dev/web-001 on the first row: allowed, and explained.
        assert app.focused is matrix and matrix.current is not None
        assert "dev/web-000 -> dev/web-001 on 80/TCP (http): ALLOWED" in (
            app.screen.query_one(VerdictView).text)
        # The first row's cells on screen: dev reaches dev (and itself is a dot).
        (row,) = [line for line in text.splitlines() if line.startswith(" dev/web-000 ")]
        assert ALLOWED in row and DENIED not in row
        # End goes to the last row, a prod pod: prod reaches dev.
        await pilot.press("end")
        await pilot.pause()
        last = f"prod/web-{REPLICAS - 1:03}"
        assert matrix.current is not None and str(matrix.current[0]) == last
        assert last in screen_text(app)
        assert matrix.mark(*matrix.cursor) is True


async def test_the_namespace_filter_narrows_rows_and_columns() -> None:
    app = lab(dump())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        matrix = app.screen.query_one(BigReachMatrix)
        assert "n Namespace" in screen_text(app)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, NamespaceFilterModal)
        assert f"prod  {REPLICAS} pods" in screen_text(app)
        await pilot.press("down", "down", "enter")  # every namespace, dev, prod
        await pilot.pause()
        assert isinstance(app.screen, LabScreen) and matrix.namespace == "prod"
        assert {ref.namespace for ref in matrix.sources} == {"prod"}
        assert {t.pod.namespace for t in matrix.targets} == {"prod"}
        assert "prod/web-000 -> prod/web-001" in app.screen.query_one(VerdictView).text
        # The Admin Deny shows once the columns are prod's and the rows dev's: every namespace.
        await pilot.press("n")
        await pilot.pause()
        await pilot.press("home", "enter")
        await pilot.pause()
        assert matrix.namespace is None and len(matrix.sources) == 2 * REPLICAS
        matrix.move_cursor(row=0, column=len(matrix.targets) - 1)  # dev → prod
        await pilot.pause()
        assert matrix.mark(*matrix.cursor) is False
        detail = app.screen.query_one(VerdictView).text
        assert "denied by Admin tier cnp:no-dev-in-prod spec.ingress[0]: Deny" in detail
        # Turning the ClusterNetworkPolicy off lets dev in.
        await toggle(pilot, "cnp:no-dev-in-prod")
        assert matrix.mark(0, len(matrix.targets) - 1) is True


async def test_a_small_lab_lists_and_toggles_cluster_policies() -> None:
    app = lab(dump(replicas=2))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        matrix = app.screen.query_one(ReachMatrix)
        column = str([str(t) for t in matrix.targets].index("prod/web-000:80"))
        assert matrix.get_cell("dev/web-000", column).plain == DENIED
        assert "n Namespace" not in screen_text(app)  # a table needs no filter
        await toggle(pilot, "cnp:no-dev-in-prod")
        assert matrix.get_cell("dev/web-000", column).plain == ALLOWED


def test_snapshot_of_a_large_lab(snap_compare) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(lab(dump()), terminal_size=SIZE)
