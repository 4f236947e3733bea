"""The lab's reachability matrix: a row per source pod, a column per destination pod:port."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple

from rich.text import Text
from textual.coordinate import Coordinate
from textual.widgets import DataTable

from quiz.netpol import Cluster, Edge, PodRef
from quiz.netpol.model import Protocol
from quiz.netpol.transport import Transport
from quiz.tui.text import clip
from quiz.tui.widgets.transport_view import transport_cell

ROW_LABEL_WIDTH = 24  # longer ``namespace/name`` row labels are clipped; the detail pane has all
COLUMN_WIDTH = 18  # likewise for the two lines of a column heading
ALLOWED, DENIED, SELF = "✓", "✗", "·"


class Target(NamedTuple):
    """One column: a declared container port of a destination pod."""

    pod: PodRef
    port: int
    protocol: Protocol
    port_name: str | None

    @property
    def port_label(self) -> str:
        """``:5432``, or ``:53/UDP`` for a protocol other than TCP."""
        return f":{self.port}" + ("" if self.protocol == "TCP" else f"/{self.protocol}")

    def __str__(self) -> str:
        return f"{self.pod}{self.port_label}"


def targets(cluster: Cluster) -> list[Target]:
    """Every declared (port, protocol) of every pod, in the order of ``reachability_matrix``."""
    columns: list[Target] = []
    for pod in cluster.pods:
        seen: dict[tuple[int, Protocol], str | None] = {}
        for port in pod.ports:
            seen.setdefault((port.number, port.protocol), port.name)
        columns += [Target(pod.ref, number, proto, name)
                    for (number, proto), name in sorted(seen.items())]
    return columns


def short_ref(ref: PodRef, width: int) -> str:
    """``namespace/name`` in ``width`` characters, the namespace clipped first (controls
    escaped)."""
    namespace, name = clip(ref.namespace, 10**6), clip(ref.name, 10**6)
    if len(namespace) + 1 + len(name) <= width:
        return f"{namespace}/{name}"
    namespace = clip(namespace, max(4, width - 1 - len(name)))
    return f"{namespace}/{clip(name, width - 1 - len(namespace))}"


def heading(target: Target) -> Text:
    """Two lines: the namespace (muted), then ``name:port``."""
    port = target.port_label
    name = clip(target.pod.name, max(4, COLUMN_WIDTH - len(port))) + port
    return Text.assemble((clip(target.pod.namespace, COLUMN_WIDTH), "dim"), "\n", name)


class ReachMatrix(DataTable[Text]):
    """✓ allowed, ✗ denied, · a pod and itself; the cell cursor picks the flow to explain."""

    def __init__(self, cluster: Cluster, **widget_options: Any) -> None:
        super().__init__(cursor_type="cell", header_height=2, **widget_options)
        self.sources: list[PodRef] = [pod.ref for pod in cluster.pods]
        self.targets: list[Target] = targets(cluster)
        self.edges: dict[tuple[PodRef, Target], Edge] = {}
        # The transport view (quiz.tui.widgets.transport_view): None shows reachability.
        self.transport: dict[tuple[PodRef, Target], list[Transport] | None] | None = None

    def on_mount(self) -> None:
        for number, target in enumerate(self.targets):
            self.add_column(heading(target), key=str(number))
        for src in self.sources:
            self.add_row(*(Text(" ") for _ in self.targets), key=str(src),
                         label=Text(short_ref(src, ROW_LABEL_WIDTH), style="bold"))
        # Cells are Rich text, which cannot read theme variables: redraw when the theme changes.
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self.redraw())

    def marks(self) -> dict[bool | None, Text]:
        """The cell for allowed, denied and self (None), in the theme's colours."""
        colours = self.app.get_css_variables()
        return {
            True: Text(ALLOWED, f"bold {colours.get('text-success', 'green')}", justify="center"),
            False: Text(DENIED, f"bold {colours.get('text-error', 'red')}", justify="center"),
            None: Text(SELF, colours.get("text-muted", "dim"), justify="center"),
        }

    def show(self, edges: Iterable[Edge]) -> None:
        """Draw the verdicts of ``edges`` (a ``reachability_matrix``); missing pairs are self."""
        wanted = {(t.pod, t.port, t.protocol): t for t in self.targets}
        self.edges = {}
        for edge in edges:
            target = wanted.get((edge.dst, edge.port, edge.protocol))
            if target is not None:
                self.edges[edge.src, target] = edge
        self.redraw()

    def show_transport(
        self, transport: dict[tuple[PodRef, Target], list[Transport] | None] | None
    ) -> None:
        """Draw each flow's transport (None per flow: NetworkPolicy denies it), or with None
        go back to reachability."""
        self.transport = transport
        self.redraw()

    def redraw(self) -> None:
        """Every cell again, from the edges last shown."""
        marks = self.marks()
        colours = self.app.get_css_variables()
        for src in self.sources:
            for number, target in enumerate(self.targets):
                edge = self.edges.get((src, target))
                mark = marks[None if edge is None else edge.allowed]
                if self.transport is not None and edge is not None:
                    mark = transport_cell(self.transport.get((src, target)), colours)
                self.update_cell(str(src), str(number), mark)

    def flow_at(self, coordinate: Coordinate) -> tuple[PodRef, Target] | None:
        """The source pod and destination port of a cell, if the table has that cell."""
        row, column = coordinate
        if not (0 <= row < len(self.sources) and 0 <= column < len(self.targets)):
            return None
        return self.sources[row], self.targets[column]

    @property
    def current(self) -> tuple[PodRef, Target] | None:
        """The flow under the cursor."""
        return self.flow_at(self.cursor_coordinate)
