"""Reachability claims from the question bank, checked against a cluster."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from quiz.netpol.errors import QueryError
from quiz.netpol.evaluate import Verdict, evaluate
from quiz.netpol.model import Cluster
from quiz.textsafe import quote

CLAIM_FIELDS = ("from", "to", "port", "protocol", "allowed")


def check_claim(
    cluster: Cluster,
    claim: Mapping[str, Any] | Any,
    *,
    disabled_policies: Collection[str] = frozenset(),
) -> tuple[bool, Verdict]:
    """Whether ``{from, to, port, protocol?, allowed}`` holds, with the verdict that decides it.

    ``from``/``to`` are ``"ns/pod"`` (or ``"pod"`` in ``default``); ``port`` is a number or a
    named port of the destination. A bank ``Claim`` model is accepted too. Raises
    :class:`UnknownPodError` naming an unknown pod and :class:`QueryError` for a malformed claim.
    """
    data = _as_mapping(claim)
    unknown = sorted(set(data) - set(CLAIM_FIELDS))
    if unknown:
        raise QueryError(f"claim has unknown field(s): {', '.join(unknown)}")
    missing = [key for key in ("from", "to", "port", "allowed") if data.get(key) is None]
    if missing:
        raise QueryError(f"claim is missing: {', '.join(missing)}")
    expected = data["allowed"]
    if not isinstance(expected, bool):
        raise QueryError(f"claim 'allowed' must be true or false, not {quote(expected)}")
    for key in ("from", "to"):
        if not isinstance(data[key], str):
            raise QueryError(f"claim {key!r} must be 'namespace/pod', not {quote(data[key])}")
    protocol = data.get("protocol") or "TCP"
    verdict = evaluate(cluster, data["from"], data["to"], data["port"], protocol,
                       disabled_policies=disabled_policies)
    return verdict.allowed == expected, verdict


def _as_mapping(claim: Any) -> Mapping[str, Any]:
    if isinstance(claim, Mapping):
        return claim
    as_mapping = getattr(claim, "as_mapping", None)  # the bank's Claim ("from", not "from_")
    if callable(as_mapping):
        return as_mapping()
    dump = getattr(claim, "model_dump", None)  # the format model of a claim (alias "from")
    if callable(dump):
        return dump(by_alias=True)
    raise QueryError(f"a claim must be a mapping, not {type(claim).__name__}")
