"""Keep the bundled bank honest: coverage, rationale, valid manifests, stable ids."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

from quiz import netpol
from quiz.bank import Bank, Question, check_bank
from quiz.bank.report import coverage_report, has_manifest, sources_of
from quiz.paths import bundled_bank

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
FENCE = re.compile(r"^```ya?ml[^\n]*\n(.*?)^```", re.M | re.S)
K8S_VERSION = "1.33.0"


@pytest.fixture(scope="module")
def bank() -> Bank:
    loaded, problems = check_bank([bundled_bank()], similar=True)
    assert loaded is not None, "\n".join(map(str, problems))
    assert problems == [], "the bundled bank must validate without warnings:\n" + "\n".join(
        map(str, problems))
    return loaded


def test_size_and_topic_coverage(bank: Bank) -> None:
    assert len(bank.topics) >= 8
    assert len(bank.concepts) >= 40
    assert len(bank.questions) >= 160
    per_topic = Counter(q.topic for q in bank.questions.values())
    thin = {t: per_topic[t] for t in bank.topics if per_topic[t] < 15}
    assert not thin, f"topics with fewer than 15 questions: {thin}"


def test_every_source_section_is_tested_three_times(bank: Bank) -> None:
    per_source = Counter(s for q in bank.questions.values() for s in sources_of(bank, q))
    thin = {s: per_source[s] for s in bank.sources if per_source[s] < 3}
    assert not thin, f"source sections tested by fewer than 3 questions: {thin}"


def test_every_concept_is_tested(bank: Bank) -> None:
    used = {c for q in bank.questions.values() for c in q.concepts}
    assert set(bank.concepts) - used == set()


def test_question_mix(bank: Bank) -> None:
    qs = list(bank.questions.values())
    assert sum(q.is_multi for q in qs) >= 0.2 * len(qs), "select-all-that-apply < 20%"
    assert sum(has_manifest(q) for q in qs) >= 0.2 * len(qs), "manifest questions < 20%"
    # The share of hard questions is bounded from above by the v2 bar (test_v2_* below).


def test_scenario_questions_with_claims(bank: Bank) -> None:
    checked = [q for q in bank.in_topic("network-policies")
               if q.scenario is not None and all(c.claims for c in q.choices)]
    assert len(checked) >= 25


def test_every_choice_has_a_why(bank: Bank) -> None:
    missing = [f"{q.id} choice {i + 1}" for q in bank.questions.values()
               for i, c in enumerate(q.choices) if not c.why]
    assert missing == []


def test_concepts_have_docs_links(bank: Bank) -> None:
    assert [c.id for c in bank.concepts.values() if not c.docs] == []


def _manifests(q: Question) -> list[dict]:
    docs: list[dict] = []
    for block in FENCE.findall(q.question):
        docs += [d for d in yaml.safe_load_all(block) if isinstance(d, dict)]
    if isinstance(q.scenario, list):
        docs += q.scenario
    return [d for d in docs if "apiVersion" in d and "kind" in d]


def test_embedded_manifests_are_valid_for_kubernetes_1_33(bank: Bank) -> None:
    failures = []
    for q in bank.questions.values():
        if q.broken_manifest:
            continue
        for doc in _manifests(q):
            try:
                kubernetes_validate.validate(doc, K8S_VERSION, strict=True)
            except kubernetes_validate.SchemaNotFoundError:
                continue  # a CRD (Istio, Gateway API, Prometheus Operator): no offline schema
            except kubernetes_validate.ValidationError as exc:
                failures.append(f"{q.id}: {doc.get('kind')} {exc.message}")
    assert failures == []


def _rejected(doc: dict) -> bool:
    """The schema rejects it, or (for a NetworkPolicy) the API server's semantic checks would:
    the evaluator applies those (policyTypes values, ipBlock beside selectors, ...)."""
    try:
        kubernetes_validate.validate(doc, K8S_VERSION, strict=True)
    except (kubernetes_validate.ValidationError, kubernetes_validate.SchemaNotFoundError):
        return True
    if doc.get("kind") == "NetworkPolicy":
        try:
            netpol.cluster_from_objects([doc])
        except netpol.ManifestError:
            return True
    return False


def test_deliberately_broken_manifests_are_broken(bank: Bank) -> None:
    honest = [q.id for q in bank.questions.values()
              if q.broken_manifest and not any(_rejected(d) for d in _manifests(q))]
    assert honest == [], "marked broken_manifest but every manifest is valid"


def _ids(name: str) -> list[str]:
    lines = (DATA / name).read_text().splitlines()
    return [ln.strip() for ln in lines if ln.strip() and not ln.startswith("#")]


def test_ids_are_stable(bank: Bank) -> None:
    published, retired = set(_ids("bank-ids.txt")), set(_ids("retired-ids.txt"))
    gone = published - set(bank.questions) - retired
    assert not gone, f"ids disappeared without being listed in retired-ids.txt: {sorted(gone)}"
    reused = retired & set(bank.questions)
    assert not reused, f"retired ids must never be reused: {sorted(reused)}"
    new = set(bank.questions) - published
    assert not new, (f"add new ids to tests/data/bank-ids.txt (append-only): {sorted(new)}")


def test_docs_bank_md_is_current(bank: Bank) -> None:
    text = (ROOT / "docs" / "bank.md").read_text()
    assert coverage_report(bank) in text, "regenerate the tables: quiz report > see docs/bank.md"


# --- bank v2 (issue #17): fit the KCSA, stand alone ----------------------------------------

KCSA_TAGS = {"kcsa", "beyond-kcsa"}
# Stems that lean on a course the learner may not have. "Step 1" … "Step 3" only as a lab's
# steps ("Step 2 of the lab", "the lab's Step 2"), not numbered steps of a procedure in a stem.
COURSE_PHRASES = re.compile(
    r"\bthe lab's\b|\bthe lab\b|\bstep [123] of the\b|\bthe source recommends\b"
    r"|\bthe source's\b|\bthe study material\b|\bthe course\b|\bthe source material\b",
    re.I)
# At most five questions may name the source, and only where the point is the source's own
# error; none needs to today (each such stem quotes "a common claim" instead).
SOURCE_ALLOWED: frozenset[str] = frozenset()


def test_v2_size(bank: Bank) -> None:
    assert len(bank.questions) >= 280


def test_v2_difficulty_mix(bank: Bank) -> None:
    qs = list(bank.questions.values())
    easy = sum(q.difficulty == "easy" for q in qs)
    hard = sum(q.difficulty == "hard" for q in qs)
    assert easy >= 0.20 * len(qs), f"easy {easy}/{len(qs)} < 20%"
    assert hard <= 0.35 * len(qs), f"hard {hard}/{len(qs)} > 35%"


def test_v2_kcsa_share(bank: Bank) -> None:
    qs = list(bank.questions.values())
    kcsa = sum("kcsa" in q.tags for q in qs)
    assert kcsa >= 0.60 * len(qs), f"kcsa {kcsa}/{len(qs)} < 60%"


def test_every_question_is_tagged_kcsa_or_beyond_kcsa(bank: Bank) -> None:
    wrong = {q.id: sorted(KCSA_TAGS & set(q.tags)) for q in bank.questions.values()
             if len(KCSA_TAGS & set(q.tags)) != 1}
    assert wrong == {}, "every question needs exactly one of kcsa / beyond-kcsa"


def test_stems_stand_alone(bank: Bank) -> None:
    assert len(SOURCE_ALLOWED) <= 5
    leaning = {q.id: COURSE_PHRASES.search(q.question).group(0)  # type: ignore[union-attr]
               for q in bank.questions.values()
               if q.id not in SOURCE_ALLOWED and COURSE_PHRASES.search(q.question)}
    assert leaning == {}, "stems must not lean on the course: quote 'a common claim' instead"


def test_course_phrase_check_catches_what_it_should() -> None:
    for stem in ("In the lab's Step 3, Prometheus ...", "Step 2 of the lab installs ...",
                 "The source recommends mTLS", "The study material says ...",
                 "As the course explains", "The source material names four challenges",
                 "Following the source's advice ..."):
        assert COURSE_PHRASES.search(stem), stem
    for stem in ("The source address seen by the server", "Pods in namespace `lab` ...",
                 "the source of the traffic", "a common claim is that overlays scale"):
        assert not COURSE_PHRASES.search(stem), stem
