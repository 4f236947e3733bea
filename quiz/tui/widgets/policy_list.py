"""The lab's policies, one checkbox each: checked policies take part in the matrix."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from textual.binding import Binding
from textual.content import Content
from textual.widgets import SelectionList
from textual.widgets.selection_list import Selection

from quiz.netpol import NetworkPolicy
from quiz.netpol.model import ClusterNetworkPolicy
from quiz.tui.text import clip

AnyPolicy = NetworkPolicy | ClusterNetworkPolicy


def policy_prompt(policy: AnyPolicy, width: int, enabled: bool = True) -> Content:
    """``namespace/name`` as written (padded to ``width``), its policyTypes, and 'off' if off;
    a ClusterNetworkPolicy (``cnp:name``) shows its tier and priority instead."""
    if isinstance(policy, ClusterNetworkPolicy):
        directions = [d.capitalize() for d in ("ingress", "egress") if policy.rules(d)]
        kinds = ", ".join([f"{policy.tier} {policy.priority}", *directions])
    else:
        kinds = ", ".join(sorted(kind.capitalize() for kind in policy.policy_types))
    name = Content(shown_key(policy).ljust(width))
    if enabled:
        return Content.assemble(name, (f"  {kinds}", "$text-muted"))
    return Content.assemble(name.stylize("strike $text-muted"), (f"  {kinds}", "$text-muted"),
                            ("  off", "bold $text-warning"))


def shown_key(policy: AnyPolicy) -> str:
    """The policy's ``namespace/name`` on one line, controls escaped."""
    return clip(policy.key, 120)


class PolicyList(SelectionList[str]):
    """Space, Enter or a click turns the highlighted policy on or off; values are policy keys."""

    BINDINGS = [
        Binding("space", "select", "Toggle"),
        Binding("enter", "select", "Toggle", show=False),
    ]

    def __init__(self, policies: Sequence[AnyPolicy], **widget_options: Any) -> None:
        self.policies = list(policies)
        self.width = max((len(shown_key(p)) for p in self.policies), default=0)
        super().__init__(*(Selection(policy_prompt(p, self.width), p.key, True)
                           for p in self.policies), **widget_options)

    @property
    def enabled(self) -> set[str]:
        """The keys of the checked policies."""
        return set(self.selected)

    def on_selection_list_selected_changed(self, event: SelectionList.SelectedChanged) -> None:
        # Say 'off' in words too: the checkbox alone is only a change of colour.
        enabled = self.enabled
        for index, policy in enumerate(self.policies):
            self.replace_option_prompt_at_index(
                index, policy_prompt(policy, self.width, policy.key in enabled))
