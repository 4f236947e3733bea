"""JSON Schemas of the bank files, generated from the models the validator uses."""

from __future__ import annotations

from typing import Any, Literal

from quiz.bank.models import Catalog, QuestionFile

_TITLES = {
    "questions": ("quiz question file", QuestionFile),
    "concepts": ("quiz concepts.yaml", Catalog),
}


def json_schema(kind: Literal["questions", "concepts"] | str) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) for ``questions`` or ``concepts`` files."""
    title, model = _TITLES[kind]
    schema = model.model_json_schema(by_alias=True, mode="validation")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema, "title": title}
