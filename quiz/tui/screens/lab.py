"""The policy lab: who can reach whom, which policies to switch off, and why a flow is decided.

Opened by ``quiz lab FILE`` (see ``quiz.tui.lab_app``), over a scenario question's feedback
with ``l``, and from home (``l``) or the palette on a scenario file picked in
``ScenarioPickerModal``. Everything from the manifests is shown literally.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Footer, OptionList, SelectionList, Static
from textual.widgets.option_list import Option

from quiz.netpol import Cluster, Edge, PolicyToggles, Verdict
from quiz.netpol.transport import Memo, Transport, transports
from quiz.tui.text import clip, literal, plural
from quiz.tui.widgets.big_matrix import BigReachMatrix
from quiz.tui.widgets.policy_list import PolicyList
from quiz.tui.widgets.reach_matrix import ReachMatrix, Target
from quiz.tui.widgets.transport_view import LEGEND as TRANSPORT_LEGEND
from quiz.tui.widgets.transport_view import MeshList, TransportView
from quiz.tui.widgets.verdict_view import VerdictView

if TYPE_CHECKING:
    from quiz.bank import Question
    from quiz.netpol import PodRef


def scenario_cluster(question: Question) -> Cluster:
    """The cluster of a scenario question: its inline manifests, or the file they name.

    A file is relative to the question's bank file; raises ``ManifestError`` (or ValueError for
    a question without a scenario).
    """
    from quiz import netpol

    if question.scenario is None:
        raise ValueError(f"question {clip(question.id, 80)} has no scenario")
    if isinstance(question.scenario, str):
        return netpol.load_manifests_file(Path(question.origin).parent / question.scenario)
    return netpol.cluster_from_objects(question.scenario, origin=question.origin)


def flows_line(allowed: int, total: int) -> Content:
    """'6 of 9 flows allowed'."""
    if not total:
        return Content.styled("no flows: no pod declares a container port", "$text-muted")
    flows = "flow" if total == 1 else "flows"
    return Content.assemble((f"{allowed:,} of {total:,} {flows}", "bold"), " allowed")


LEGEND = Content.assemble(
    ("rows ", "$text-muted"), "from", (", columns ", "$text-muted"), "to", ("   ", ""),
    ("✓", "bold $text-success"), (" allowed  ", "$text-muted"),
    ("✗", "bold $text-error"), (" denied  ", "$text-muted"),
    ("·", "$text-muted"), (" same pod", "$text-muted"),
)


SUMMARY_BYTES = 4096  # how much of a scenario file is read for its description


def scenario_files(roots: list[Path]) -> list[Path]:
    """The ``*.yaml`` manifests in each root's ``scenarios/`` directory, bundled first."""
    found: dict[Path, None] = {}
    for root in roots:
        directory = root / "scenarios"
        if directory.is_dir():
            for path in sorted(directory.glob("*.yaml")):
                if path.is_file():
                    found.setdefault(path.resolve(), None)
    return list(found)


def scenario_summary(path: Path) -> str:
    """The file's opening comment, as one line ('' when it has none or cannot be read)."""
    try:
        with path.open(encoding="utf-8", errors="replace") as file:
            head = file.read(SUMMARY_BYTES)
    except OSError:
        return ""
    lines = []
    for line in head.splitlines():
        if not line.startswith("#"):
            break
        lines.append(line.lstrip("#").strip())
    return " ".join(lines)


class ScenarioPickerModal(ModalScreen[Path | None]):
    """The scenario files to open in the lab; dismisses with the chosen path."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(self, files: list[Path]) -> None:
        super().__init__()
        self.files = files

    def compose(self) -> ComposeResult:
        options = []
        for number, path in enumerate(self.files):
            summary = scenario_summary(path)
            prompt = Content.assemble(literal(path.name, "bold"),
                                      *(("\n", literal(summary, "$text-muted"))
                                        if summary else ()))
            options.append(Option(prompt, id=str(number)))
        with Vertical(classes="modal-frame -small") as frame:
            frame.border_title = Content("Open a scenario in the policy lab")
            frame.border_subtitle = Content("enter open · esc cancel")
            yield OptionList(*options, id="scenarios", markup=False)
        yield Footer()

    @on(OptionList.OptionSelected, "#scenarios")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.files[int(event.option_id or 0)])


BIG_MATRIX_CELLS = 20_000  # more pods × ports than this: the line-drawn matrix, with a filter


def uses_big_matrix(cluster: Cluster) -> bool:
    """Whether the lab draws the matrix line by line (a cluster dump) instead of a table."""
    ports = sum(len({(p.number, p.protocol) for p in pod.ports}) for pod in cluster.pods)
    return len(cluster.pods) * ports > BIG_MATRIX_CELLS


class NamespaceFilterModal(ModalScreen[str | None]):
    """Pick the namespace whose pods the matrix shows; dismisses with "" for every namespace."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(self, namespaces: list[tuple[str, int]], current: str | None) -> None:
        super().__init__()
        self.namespaces = namespaces
        self.current = current

    def compose(self) -> ComposeResult:
        options = [Option(Content.assemble(("every namespace", "bold")), id="")]
        options += [Option(Content.assemble(literal(name), (f"  {plural(count, 'pod')}",
                                                            "$text-muted")), id=str(i))
                    for i, (name, count) in enumerate(self.namespaces)]
        with Vertical(classes="modal-frame -small") as frame:
            frame.border_title = Content("Show the pods of one namespace")
            frame.border_subtitle = Content("enter show · esc cancel")
            yield OptionList(*options, id="namespaces", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        names = [name for name, _ in self.namespaces]
        if self.current in names:
            self.query_one(OptionList).highlighted = names.index(self.current) + 1

    @on(OptionList.OptionSelected, "#namespaces")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        chosen = event.option_id or ""
        self.dismiss(self.namespaces[int(chosen)][0] if chosen else "")


class LabScreen(Screen[None]):
    """Matrix on top, policies with checkboxes below it, the highlighted flow explained."""

    BINDINGS = [
        Binding("tab", "app.focus_next", "Matrix/policies"),
        Binding("shift+tab", "app.focus_previous", "Previous pane", show=False),
        Binding("a", "enable_all", "Enable all"),
        Binding("t", "toggle_transport", "Transport"),
        Binding("n", "filter_namespace", "Namespace"),
        # Back to the feedback when opened over it, quit when the lab is the whole app.
        Binding("escape", "back", "Back"),
        Binding("q", "back", "Back", show=False),
        Binding("escape", "quit", "Quit"),
        Binding("q", "quit", "Quit", show=False),
    ]

    def __init__(self, cluster: Cluster, title: str) -> None:
        super().__init__()
        self.cluster = cluster
        self.title_text = title
        self.toggles = PolicyToggles(cluster)
        self.transport_on = False  # t: the Istio transport of each flow instead of ✓/✗
        self.mesh_disabled: set[str] = set()
        self.big = uses_big_matrix(cluster)
        self.set_class(self.big, "-big")
        self.all_policies = [*cluster.cluster_policies, *cluster.policies]

    def compose(self) -> ComposeResult:
        with Horizontal(classes="title-bar"):
            yield Static(Content.assemble(("Policy lab", "bold $text-primary"), "  ",
                                          literal(self.title_text)), id="lab-title")
            yield Static(id="lab-count")
        notes = "; ".join(self.cluster.notes)
        yield Static(literal(notes, "$text-muted"), id="lab-notes")
        yield Static(LEGEND, id="lab-legend", classes="-after-notes" if notes else "")
        if self.big:
            yield BigReachMatrix(self.cluster, id="lab-matrix")
        else:
            yield ReachMatrix(self.cluster, id="lab-matrix")
        heading = ("Policies: tab here, space turns one off or on" if self.all_policies
                   else "No NetworkPolicies: nothing is isolated, every flow is allowed")
        yield Static(heading, id="lab-policies-head", markup=False)
        yield PolicyList(self.all_policies, id="lab-policies")
        mesh = [*self.cluster.peer_authentications, *self.cluster.destination_rules]
        yield Static("PeerAuthentications and DestinationRules: space turns one off or on"
                     if mesh else "No PeerAuthentication or DestinationRule: Istio's defaults",
                     id="lab-mesh-head", markup=False)
        yield MeshList(mesh, id="lab-mesh")
        yield VerdictView(id="lab-detail")
        yield TransportView(id="lab-transport")
        yield Footer()

    @property
    def matrix(self) -> ReachMatrix | BigReachMatrix:
        """The matrix widget: a table for a small lab, line-drawn for a large one."""
        matrix = self.query_one("#lab-matrix")
        assert isinstance(matrix, ReachMatrix | BigReachMatrix)
        return matrix

    def on_mount(self) -> None:
        self.query_one(PolicyList).display = bool(self.all_policies)
        self.query_one("#lab-notes").display = bool(self.cluster.notes)
        self.show_view()
        matrix = self.matrix
        matrix.focus()
        self.recompute()
        # Start on a real flow rather than the top-left cell, often a pod and itself.
        start = next(((row, column) for row, src in enumerate(matrix.sources)
                      for column, target in enumerate(matrix.targets) if src != target.pod), None)
        if start is not None:
            matrix.move_cursor(row=start[0], column=start[1])

    @property
    def is_root(self) -> bool:
        """Whether the lab is the app's first screen (``quiz lab``), so closing it quits."""
        return self.app.screen_stack[0] is self

    # --- the matrix and the detail pane ------------------------------------------------

    def recompute(self) -> None:
        """The matrix, the count and the explanation under the current toggles."""
        grouped = self.toggles.class_matrix()
        matrix = self.matrix
        if isinstance(matrix, BigReachMatrix):
            matrix.show(grouped)
        else:
            edges = list(grouped.edges())
            matrix.show(edges)
            if self.transport_on:
                matrix.show_transport(self.transports(edges))
        allowed, total = grouped.counts()
        self.query_one("#lab-count", Static).update(flows_line(allowed, total))
        self.explain()

    def explain(self) -> None:
        """Show why the flow under the matrix cursor is allowed or denied."""
        flow = self.matrix.current
        if self.transport_on:
            self.explain_transport(flow)
            return
        view = self.query_one(VerdictView)
        if flow is None:
            view.show_message("No pod declares a container port: there is no flow to explain.")
        else:
            view.show(self.verdict(*flow))

    def verdict(self, src: PodRef, target: Target) -> Verdict:
        """The verdict for one cell under the current toggles."""
        return self.toggles.evaluate(src, target.pod, target.port, target.protocol)

    def on_data_table_cell_highlighted(self, event: DataTable.CellHighlighted) -> None:
        event.stop()
        self.explain()

    def on_big_reach_matrix_highlighted(self, event: BigReachMatrix.Highlighted) -> None:
        event.stop()
        self.explain()

    def action_filter_namespace(self) -> None:
        """Narrow a large matrix to the pods of one namespace (rows and columns)."""
        matrix = self.matrix
        if not isinstance(matrix, BigReachMatrix):
            return
        counts: dict[str, int] = {}
        for ref in matrix.all_sources:
            counts[ref.namespace] = counts.get(ref.namespace, 0) + 1

        def chosen(namespace: str | None) -> None:
            if namespace is not None:
                matrix.filter(namespace or None)
                matrix.focus()

        self.app.push_screen(NamespaceFilterModal(sorted(counts.items()), matrix.namespace),
                             chosen)

    # --- the policies -------------------------------------------------------------------

    def on_selection_list_selected_changed(self, event: SelectionList.SelectedChanged) -> None:
        event.stop()
        enabled = self.query_one(PolicyList).enabled
        mesh_disabled = self.query_one(MeshList).disabled_keys
        changed = mesh_disabled != self.mesh_disabled
        self.mesh_disabled = mesh_disabled
        for policy in self.all_policies:
            if self.toggles.is_enabled(policy.key) != (policy.key in enabled):
                self.toggles.toggle(policy.key)
                changed = True
        if changed:
            self.recompute()

    def action_enable_all(self) -> None:
        self.query_one(PolicyList).select_all()
        self.query_one(MeshList).select_all()

    # --- the transport view (Istio, sidecar mode) -----------------------------------------

    def action_toggle_transport(self) -> None:
        """Between ✓/✗ reachability and how each allowed flow arrives under Istio."""
        self.transport_on = not self.transport_on
        self.show_view()
        if not self.transport_on:
            self.query_one(ReachMatrix).show_transport(None)
        self.recompute()

    def show_view(self) -> None:
        """The legend, list and detail pane of the current view."""
        on = self.transport_on
        mesh = bool(self.cluster.peer_authentications or self.cluster.destination_rules)
        self.query_one("#lab-legend", Static).update(TRANSPORT_LEGEND if on else LEGEND)
        self.query_one("#lab-policies-head").display = not on
        self.query_one(PolicyList).display = not on and bool(self.all_policies)
        self.query_one("#lab-mesh-head").display = on
        self.query_one(MeshList).display = on and mesh
        self.query_one(VerdictView).display = not on
        self.query_one(TransportView).display = on

    def transports(self, edges: list[Edge]) -> dict[tuple[PodRef, Target], list[Transport] | None]:
        """Each flow's transports under the current toggles (None where NetworkPolicy denies)."""
        matrix = self.query_one(ReachMatrix)
        wanted = {(t.pod, t.port, t.protocol): t for t in matrix.targets}
        found: dict[tuple[PodRef, Target], list[Transport] | None] = {}
        memo = Memo(self.cluster, disabled=self.mesh_disabled)
        for edge in edges:
            target = wanted.get((edge.dst, edge.port, edge.protocol))
            if target is None:
                continue
            found[edge.src, target] = None if not edge.allowed else transports(
                self.cluster, edge.src, edge.dst, edge.port, edge.protocol, memo=memo)
        return found

    def explain_transport(self, flow: tuple[PodRef, Target] | None) -> None:
        """Show how the flow under the cursor arrives, and why."""
        view = self.query_one(TransportView)
        matrix = self.query_one(ReachMatrix)
        if flow is None or flow[0] == flow[1].pod or matrix.transport is None:
            view.show_message("A pod and itself: no transport to explain." if flow else
                              "No pod declares a container port: there is no flow to explain.")
            return
        found = matrix.transport.get(flow)
        view.show(found, denied=f"{flow[0]} -> {flow[1]}")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "back":
            return not self.is_root
        if action == "quit":
            return self.is_root
        if action == "filter_namespace":
            return self.big
        if action == "toggle_transport":  # the transport cells belong to the table matrix
            return not self.big
        return True

    def action_back(self) -> None:
        self.dismiss()

    def action_quit(self) -> None:
        self.app.exit()
