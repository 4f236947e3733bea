"""The JSON Schemas editors use are the validator's own, and the shipped copies are current."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from quiz.cli import cli

DOCS = Path(__file__).resolve().parents[2] / "docs" / "schema"


@pytest.mark.parametrize("kind", ["questions", "concepts"])
def test_docs_copy_matches_quiz_schema(kind: str) -> None:
    printed = json.loads(CliRunner().invoke(cli, ["schema", kind]).output)
    assert printed == json.loads((DOCS / f"{kind}.schema.json").read_text()), (
        f"regenerate: quiz schema {kind} > docs/schema/{kind}.schema.json"
    )


def test_question_schema_forbids_unknown_keys_and_names_claim_from() -> None:
    schema = json.loads(CliRunner().invoke(cli, ["schema"]).output)
    question = schema["$defs"]["Question"]
    assert question["additionalProperties"] is False
    assert set(question["required"]) == {"id", "concepts", "question", "choices", "explanation"}
    assert "from" in schema["$defs"]["Claim"]["properties"]
