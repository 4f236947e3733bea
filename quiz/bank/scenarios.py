"""Machine-checked answer keys: a question's `claims` evaluated against its `scenario`.

A choice is true exactly when all its reachability claims hold in the scenario, as decided by
the offline NetworkPolicy evaluator (quiz.netpol). A `correct:` flag that disagrees is an error,
and so is a NetworkPolicy shown in the stem that is not the one the scenario evaluates.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import yaml

from quiz.bank.models import Question
from quiz.bank.parsed import LoadState, ParsedFile
from quiz.bank.problems import Problem

_FENCE = re.compile(r"^```ya?ml[^\n]*\n(.*?)^```", re.M | re.S)


def check_scenarios(state: LoadState, questions: list[tuple[ParsedFile, int, Question]]) -> None:
    """Report every scenario question whose answer key the evaluator does not confirm."""
    targets = [(f, i, q) for f, i, q in questions
               if q.scenario is not None or any(c.claims for c in q.choices)]
    if not targets:
        return
    from quiz import netpol  # only banks with scenario questions pay for the evaluator

    for f, i, q in targets:
        at: Callable[..., None] = _reporter(state, f, ("questions", i), q.id)
        if q.scenario is None:
            at(("choices",), "claims need a 'scenario' to be checked against")
            continue
        try:
            if isinstance(q.scenario, str):
                path = f.path.parent / q.scenario  # relative to the question file
                if not path.is_file():
                    at(("scenario",), f"scenario file not found: {q.scenario}")
                    continue
                cluster = netpol.load_manifests_file(path)
                objects = list(_documents(path.read_text(encoding="utf-8")))
            else:
                cluster = netpol.cluster_from_objects(
                    q.scenario, origin=f.display,
                    locate=lambda loc, f=f, i=i: f.at(("questions", i, "scenario", *loc)))
                objects = q.scenario
        except netpol.ManifestError as exc:
            if exc.line is not None and exc.path == f.display:
                state.problems.append(Problem(f.display, exc.line, exc.col or 1, exc.message, q.id))
            else:
                at(("scenario",), f"scenario: {exc}")
            continue
        _check_shown_policies(q, objects, at)
        if not any(c.claims for c in q.choices):
            at(("scenario",), "a scenario without claims on its choices checks nothing",
               warning=True)
        for k, choice in enumerate(q.choices):
            if not choice.claims:
                continue
            try:
                results = [netpol.check_claim(cluster, claim) for claim in choice.claims]
            except netpol.NetpolError as exc:
                at(("choices", k, "claims"), f"choices[{k + 1}].claims: {exc}")
                continue
            true = all(holds for holds, _ in results)
            if true == choice.correct:
                continue
            if choice.correct:
                n, (_, verdict) = next((n, r) for n, r in enumerate(results, 1) if not r[0])
                reason = f"claim {n} does not hold: " + "; ".join(verdict.explain())
                at(("choices", k, "correct"),
                   f"choices[{k + 1}] is marked correct but the evaluator disagrees: {reason}")
            else:
                at(("choices", k), f"choices[{k + 1}] is not marked correct, but every one of "
                   "its claims holds in the scenario")


def _check_shown_policies(q: Question, objects: Any, at: Callable[..., None]) -> None:
    """Every NetworkPolicy in the stem's YAML blocks must be the scenario's, to the letter."""
    scenario = {_key(o): o.get("spec") for o in _flatten(objects)
                if isinstance(o, dict) and o.get("kind") == "NetworkPolicy"}
    for block in _FENCE.findall(q.question):
        try:
            docs = list(_documents(block))
        except yaml.YAMLError:
            continue  # a deliberately broken block is the manifest check's business
        for doc in _flatten(docs):
            if not isinstance(doc, dict) or doc.get("kind") != "NetworkPolicy":
                continue
            key = _key(doc)
            if key not in scenario:
                at(("question",), f"the stem shows NetworkPolicy {key[0]}/{key[1]}, "
                   "which the scenario does not contain")
            elif scenario[key] != doc.get("spec"):
                at(("question",), f"the stem's NetworkPolicy {key[0]}/{key[1]} differs from "
                   "the scenario's: the answer key would be checked against another policy")


def _key(obj: dict[str, Any]) -> tuple[str, str]:
    meta = obj.get("metadata") or {}
    return str(meta.get("namespace") or "default"), str(meta.get("name"))


def _documents(text: str) -> Any:
    return (d for d in yaml.load_all(text, Loader=yaml.CSafeLoader) if d is not None)


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
