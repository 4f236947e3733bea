"""Machine-checked answer keys: a question's `claims` evaluated against its `scenario`.

A choice is true exactly when all its reachability claims hold in the scenario, as decided by
the offline NetworkPolicy evaluator (quiz.netpol), and all its `transport` claims hold, as
decided by the Istio transport evaluator (quiz.netpol.transport). A `correct:` flag that
disagrees is an error, and so is a NetworkPolicy shown in the stem that is not the one the
scenario evaluates.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import PurePath
from typing import Any

import yaml

from quiz.bank.files import not_a_file, read_regular
from quiz.bank.models import Question
from quiz.bank.parsed import LoadState, ParsedFile
from quiz.bank.problems import Problem
from quiz.bank.reading import bank_root, display_path
from quiz.safeyaml import ManifestLoader
from quiz.textsafe import has_control, quote, shorten

_FENCE = re.compile(r"^```ya?ml[^\n]*\n(.*?)^```", re.M | re.S)


def check_scenarios(state: LoadState, questions: list[tuple[ParsedFile, int, Question]]) -> None:
    """Report every scenario question whose answer key the evaluator does not confirm."""
    targets = [(f, i, q) for f, i, q in questions
               if q.scenario is not None or any(c.claims or c.transport for c in q.choices)]
    if not targets:
        return
    from quiz import netpol  # only banks with scenario questions pay for the evaluator
    from quiz.netpol.transport_claims import check_transport_claim

    for f, i, q in targets:
        at: Callable[..., None] = _reporter(state, f, ("questions", i), q.id)
        if q.scenario is None:
            at(("choices",), "claims need a 'scenario' to be checked against")
            continue
        try:
            if isinstance(q.scenario, str):
                text, origin, refusal = scenario_text(f, q.scenario)
                if text is None:
                    at(("scenario",), refusal)
                    continue
                cluster = netpol.load_manifests_text(text, origin=origin)
                objects = list(_documents(text))
            else:
                cluster = netpol.cluster_from_objects(
                    q.scenario, origin=f.display,
                    locate=lambda loc, f=f, i=i: f.at(("questions", i, "scenario", *loc)))
                objects = q.scenario
        except netpol.ManifestError as exc:
            if exc.line is not None and exc.path == f.display:
                state.problems.append(Problem(f.display, exc.line, exc.col or 1, exc.message, q.id))
            else:
                at(("scenario",), f"scenario: {shorten(str(exc), 240)}")
            continue
        except yaml.YAMLError:  # the stem's blocks, read after the manifests passed
            at(("scenario",), "scenario: the manifests cannot be read as YAML")
            continue
        _check_shown_policies(q, objects, at)
        for note in cluster.notes:  # a kind the evaluator skips (a typo?) changes no verdict
            if note.startswith("ignored: "):
                at(("scenario",), f"scenario: {note} (the evaluator reads Namespace, Pod, "
                                  "workloads, NetworkPolicy, ClusterNetworkPolicy, Service, "
                                  "PeerAuthentication and DestinationRule)",
                   warning=True)
        if not any(c.claims or c.transport for c in q.choices):
            at(("scenario",), "a scenario without claims on its choices checks nothing",
               warning=True)
        for k, choice in enumerate(q.choices):
            if not choice.claims and not choice.transport:
                continue
            try:
                results = [netpol.check_claim(cluster, claim) for claim in choice.claims or ()]
            except netpol.NetpolError as exc:
                at(("choices", k, "claims"), f"choices[{k + 1}].claims: {exc}")
                continue
            try:
                carried = [check_transport_claim(cluster, c) for c in choice.transport or ()]
            except netpol.NetpolError as exc:
                at(("choices", k, "transport"), f"choices[{k + 1}].transport: {exc}")
                continue
            true = all(holds for holds, _ in results) and all(holds for holds, _ in carried)
            if true == choice.correct:
                continue
            if choice.correct:
                if all(holds for holds, _ in results):
                    n, (_, check) = next((n, r) for n, r in enumerate(carried, 1) if not r[0])
                    reason = f"transport claim {n} does not hold: " + "; ".join(check.explain())
                    at(("choices", k, "transport", n - 1),
                       f"choices[{k + 1}] is marked correct but the evaluator disagrees: {reason}")
                    continue
                n, (_, verdict) = next((n, r) for n, r in enumerate(results, 1) if not r[0])
                reason = f"claim {n} does not hold: " + "; ".join(verdict.explain())
                at(("choices", k, "correct"),
                   f"choices[{k + 1}] is marked correct but the evaluator disagrees: {reason}")
            else:
                at(("choices", k), f"choices[{k + 1}] is not marked correct, but every one of "
                   "its claims holds in the scenario")


def scenario_text(f: ParsedFile, name: str) -> tuple[str | None, str, str]:
    """The text of a scenario file, its path to show, or why it is refused.

    A scenario names a file relative to its question file, and that file must be inside the
    bank (symbolic links resolved): an absolute path or ``../`` out of the bank would let a
    bank read any file the user can (a private key, a ``.env``). Never quotes the file's text.
    """
    shown = quote(name)
    if not name.strip() or has_control(name) or PurePath(name).is_absolute():
        return None, "", (f"scenario {shown}: give a path relative to this file, to a "
                          "manifest file inside the bank")
    try:
        root = (f.root or bank_root(f.path)).resolve()
        target = (f.path.parent / name).resolve()
    except (OSError, RuntimeError, ValueError):
        return None, "", f"scenario {shown}: cannot be resolved (a loop of symbolic links?)"
    if not target.is_relative_to(root):
        return None, "", (f"scenario {shown} leads outside the bank: a scenario must be a "
                          "file inside the bank's directory")
    reason = not_a_file(target)
    try:
        missing = reason is not None and not target.exists()
    except OSError:  # a name too long for the system, say: not_a_file has said why
        missing = False
    if missing:
        return None, "", f"scenario file not found: {shown}"
    if reason is not None:
        return None, "", f"scenario {shown}: {reason}"
    try:
        return read_regular(target).decode("utf-8"), display_path(target), ""
    except OSError as exc:
        return None, "", f"scenario {shown}: cannot read: {exc.strerror or 'error'}"
    except UnicodeDecodeError:
        return None, "", f"scenario {shown}: not UTF-8 text"


_SHOWN = ("NetworkPolicy", "ClusterNetworkPolicy")  # the kinds that decide a claim


def _check_shown_policies(q: Question, objects: Any, at: Callable[..., None]) -> None:
    """Every policy (NetworkPolicy, ClusterNetworkPolicy) in the stem's YAML blocks must be the
    scenario's, to the letter."""
    scenario = {_key(o): o.get("spec") for o in _flatten(objects)
                if isinstance(o, dict) and o.get("kind") in _SHOWN}
    for block in _FENCE.findall(q.question):
        try:
            docs = list(_documents(block))
        except yaml.YAMLError:
            continue  # a deliberately broken block is the manifest check's business
        for doc in _flatten(docs):
            if not isinstance(doc, dict) or doc.get("kind") not in _SHOWN:
                continue
            key = _key(doc)
            name = key[2] if key[0] == "ClusterNetworkPolicy" else f"{key[1]}/{key[2]}"
            if key not in scenario:
                at(("question",), f"the stem shows {key[0]} {name}, "
                   "which the scenario does not contain")
            elif scenario[key] != doc.get("spec"):
                at(("question",), f"the stem's {key[0]} {name} differs from "
                   "the scenario's: the answer key would be checked against another policy")


def _key(obj: dict[str, Any]) -> tuple[str, str, str]:
    meta = obj.get("metadata") or {}
    if obj.get("kind") == "ClusterNetworkPolicy":  # cluster-scoped: a namespace is ignored
        return "ClusterNetworkPolicy", "", str(meta.get("name"))
    return str(obj.get("kind")), str(meta.get("namespace") or "default"), str(meta.get("name"))


def _documents(text: str) -> Any:
    return (d for d in yaml.load_all(text, Loader=ManifestLoader) if d is not None)


def _flatten(objects: Any) -> list[Any]:
    out: list[Any] = []
    for obj in objects or []:
        if isinstance(obj, dict) and obj.get("kind") == "List":
            out.extend(_flatten(obj.get("items")))
        else:
            out.append(obj)
    return out


def _reporter(state: LoadState, f: ParsedFile, base: tuple[str | int, ...],
              qid: str) -> Callable[..., None]:
    def report(loc: tuple[str | int, ...], message: str, *, warning: bool = False) -> None:
        state.error(f, (*base, *loc), message, qid, warning=warning)
    return report
