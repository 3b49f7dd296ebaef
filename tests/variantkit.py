"""Parameterised problems in tests: a content file's variant with chosen numbers."""

from __future__ import annotations

from pathlib import Path

import yaml

from engine.variants import ChoiceTemplate, RenderedVariant, VariantSpec, render_variant

CONTENT = Path(__file__).resolve().parents[1] / "content"


def content_document(slug: str) -> dict:
    (path,) = CONTENT.glob(f"*/{slug}.yaml")
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def parameterised_documents() -> dict[str, dict]:
    documents = {}
    for path in sorted(CONTENT.glob("*/*.yaml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        if "params" in document:
            documents[document["slug"]] = document
    return documents


def document_variant(document: dict, *, seed: int | None = None, params=None) -> RenderedVariant:
    """The variant of a content document, as the loader's validation renders it."""
    texts = {
        f"{key}_{language}": document[key][language]
        for key in ("statement", "explanation")
        for language in ("ja", "en")
    }
    choices = [
        ChoiceTemplate(
            key=str(choice["key"]),
            texts={
                "text_ja": choice["ja"],
                "text_en": choice["en"],
                "feedback_ja": (choice.get("feedback") or {}).get("ja", ""),
                "feedback_en": (choice.get("feedback") or {}).get("en", ""),
            },
            correct=bool(choice.get("correct")),
            misconception=choice.get("misconception", ""),
        )
        for choice in document.get("choices", [])
    ]
    spec = VariantSpec.from_dict(document)
    return render_variant(spec, texts=texts, choices=choices or None, seed=seed, params=params)


def variant_answer(slug: str, **params) -> float:
    """The answer of `slug`'s variant with these parameters."""
    return document_variant(content_document(slug), params=params).answer
