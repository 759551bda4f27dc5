"""Plain-text writer for a `Document`: no colour, no wrapping, deterministic (git textconv relies on it)."""

from __future__ import annotations

from llmcat.render.conversation import plain_lines
from llmcat.render.document import Document

INDENT = "    "


def render(doc: Document) -> str:
    out = [f"=== {doc.heading}"]
    for section in doc.sections:
        if not section.fields and section.text is None and not section.entries:
            continue
        out.append(f"--- {section.title}")
        width = max((len(f.label) for f in section.fields), default=0)
        out += [f"{f.label + ':':<{width + 1}} {f.value}" for f in section.fields]
        if section.text is not None:
            out += [INDENT + line if line else "" for line in section.text.split("\n")]
        if section.entries:
            out += [INDENT + line if line else "" for line in plain_lines(section.entries)]
    return "\n".join(out) + "\n"
