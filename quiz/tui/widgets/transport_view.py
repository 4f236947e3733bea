"""The lab's transport view: how each allowed flow arrives under Istio (cells, the switchable
PeerAuthentications and DestinationRules, and the reasons for the highlighted flow)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import SelectionList, Static
from textual.widgets.selection_list import Selection

from quiz.netpol.mesh_objects import DestinationRule, PeerAuthentication
from quiz.netpol.transport import Transport, mesh_key
from quiz.tui.text import clip, literal, shown

MeshObject = PeerAuthentication | DestinationRule
# What a cell says, and the theme colour it is drawn in.
WORDS = {"mtls": ("mTLS", "text-success"), "plaintext": ("plain", "text-warning"),
         "rejected": ("refused", "text-error"), "not evaluated": ("n/a", "text-muted")}

LEGEND = Content.assemble(
    ("mTLS", "bold $text-success"), "  ", ("plain", "bold $text-warning"), "  ",
    ("refused", "bold $text-error"), "  ", ("n/a", "$text-muted"),
    (" not evaluated  ", "$text-muted"), ("✗", "bold $text-error"),
    (" NetworkPolicy denies  ", "$text-muted"), ("rows ", "$text-muted"), "from",
    (", columns ", "$text-muted"), "to",
)


def outcome_of(found: Sequence[Transport]) -> str:
    """One word for a cell: the outcome, or 'mixed' when two Services disagree."""
    outcomes = {t.outcome for t in found}
    return found[0].outcome if len(outcomes) == 1 else "mixed"


def transport_cell(found: Sequence[Transport] | None, colours: dict[str, str]) -> Text:
    """The cell of one flow: None is a flow NetworkPolicy denies."""
    if found is None:
        return Text("✗", f"bold {colours.get('text-error', 'red')}", justify="center")
    word, colour = WORDS.get(outcome_of(found), ("mixed", "text-accent"))
    style = colours.get(colour, "default")
    return Text(word, style if colour == "text-muted" else f"bold {style}", justify="center")


def mesh_prompt(obj: MeshObject, width: int, enabled: bool = True) -> Content:
    """``Kind namespace/name`` (padded), what it sets, and 'off' when switched off."""
    name = Content(clip(mesh_key(obj), 120).ljust(width))
    if isinstance(obj, PeerAuthentication):
        what = obj.mode + (" + ports" if obj.port_modes else "")
    else:
        what = f"{clip(obj.host, 40)} {obj.tls or 'no TLS'}" + (" + ports" if obj.port_tls else "")
    if enabled:
        return Content.assemble(name, (f"  {what}", "$text-muted"))
    return Content.assemble(name.stylize("strike $text-muted"), (f"  {what}", "$text-muted"),
                            ("  off", "bold $text-warning"))


class MeshList(SelectionList[str]):
    """PeerAuthentications and DestinationRules with checkboxes; values are ``mesh_key``s."""

    BINDINGS = [
        Binding("space", "select", "Toggle"),
        Binding("enter", "select", "Toggle", show=False),
    ]

    def __init__(self, objects: Sequence[MeshObject], **widget_options: Any) -> None:
        self.objects = list(objects)
        self.width = max((len(clip(mesh_key(o), 120)) for o in self.objects), default=0)
        super().__init__(*(Selection(mesh_prompt(o, self.width), mesh_key(o), True)
                           for o in self.objects), **widget_options)

    @property
    def disabled_keys(self) -> set[str]:
        """The keys of the unchecked objects."""
        chosen = set(self.selected)
        return {mesh_key(o) for o in self.objects} - chosen

    def on_selection_list_selected_changed(self, event: SelectionList.SelectedChanged) -> None:
        chosen = set(self.selected)
        for index, obj in enumerate(self.objects):
            self.replace_option_prompt_at_index(
                index, mesh_prompt(obj, self.width, mesh_key(obj) in chosen))


class TransportView(VerticalScroll, can_focus=False):
    """The highlighted flow's transport: the outcome per Service, then its reasons."""

    def __init__(self, **widget_options: Any) -> None:
        super().__init__(**widget_options)
        self.lines: list[str] = []

    def compose(self) -> ComposeResult:
        yield Static(classes="transport-text")

    def show(self, found: Sequence[Transport] | None, denied: str = "") -> None:
        """Explain the transports of one flow (None: ``denied`` says why NetworkPolicy denies)."""
        if found is None:
            self.lines = [f"{denied}: NetworkPolicy denies it, so it never reaches a sidecar"]
            self._set(Content.styled("✗ " + shown(self.lines[0]), "bold $text-error"))
            return
        parts: list[Content] = []
        self.lines = []
        for transport in found:
            head, *reasons = transport.explain()
            self.lines += [head, *reasons]
            colour = WORDS.get(transport.outcome, ("", "text-muted"))[1]
            if parts:
                parts.append(Content("\n"))
            # The deciding reason (the last) beside the outcome: at 80x24 the chain scrolls.
            decisive = reasons[-1] if reasons else ""
            parts.append(Content.assemble(Content.styled(shown(head), f"bold ${colour}"),
                                          (": " if decisive else "", ""), literal(decisive)))
            parts += [Content.assemble("\n", ("• ", "$text-muted"), literal(reason))
                      for reason in reasons[:-1]]
        self._set(Content.assemble(*parts))

    def show_message(self, message: str) -> None:
        """A note instead of a flow."""
        self.lines = [message]
        self._set(literal(message, "$text-muted"))

    def _set(self, content: Content) -> None:
        self.query_one(".transport-text", Static).update(content)

    @property
    def text(self) -> str:
        """The explanation as plain lines (what the tests read)."""
        return "\n".join(self.lines)
