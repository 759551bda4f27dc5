"""A recorded credential is never printed whole: what is shown of one, in every output mode."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from llmcat.validation.secrets import mask  # how one credential is shown: decided where they are found

__all__ = ["mask", "mask_document", "mask_in", "mask_tree"]


def mask_in(text: str, secrets: list[str]) -> str:
    """`text` with every occurrence of each secret replaced by its mask (longest first, so a
    secret containing another is masked whole)."""
    for secret in sorted(set(secrets), key=len, reverse=True):
        if secret and secret in text:
            text = text.replace(secret, f"[{mask(secret)}]")
    return text


def mask_tree(value: Any, secrets: Collection[str]) -> Any:
    """A JSON-shaped value with every secret masked in every string (keys included)."""
    if not secrets:
        return value
    if isinstance(value, str):
        return mask_in(value, list(secrets))
    if isinstance(value, dict):
        return {mask_tree(k, secrets): mask_tree(v, secrets) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [mask_tree(v, secrets) for v in value]
    return value


def mask_document(doc: Any, secrets: Collection[str]) -> Any:
    """`show`'s document (render.document.Document) with every secret masked in every text."""
    if not secrets:
        return doc
    found = list(secrets)
    doc.heading = mask_in(doc.heading, found)
    for section in doc.sections:
        if section.text is not None:
            section.text = mask_in(section.text, found)
        for f in section.fields:
            f.value = mask_in(f.value, found)
        for entry in section.entries or []:  # a transcript's role-labelled blocks
            entry.label = mask_in(entry.label, found)
            entry.text = mask_in(entry.text, found)
    return doc
