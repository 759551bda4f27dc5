"""A recorded credential is never printed whole: what is shown of one, in every output mode.

Two steps. Renderers mask the credentials of the call they draw in its texts before they lay
them out (`mask_in`, `mask_tree`, `mask_document`: a wrap or a table cell cannot split a key it
no longer holds). Then every byte llmcat writes passes `KNOWN` (render.output wraps standard
output and error in it): it knows every credential found in every call read so far, as the
pipeline reads them (`reading.pipeline.CREDENTIALS`), and finds each as any output writes it:
raw, JSON-escaped (`\\"`, `\\\\`, `\\u00e9`), percent-escaped in either case of hex, as `visible`
escapes it. `--reveal` turns both off.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from llmcat.reading.pipeline import Call

__all__ = ["KNOWN", "mask", "mask_document", "mask_in", "mask_tree"]

def mask(value: str) -> str:
    """How one credential is shown (`sk-p…8A (164 chars)`): decided where they are found, imported only
    when one is (the search's regexes cost every run's start-up some 20 ms to compile)."""
    from llmcat.validation.secrets import mask as shown

    return shown(value)


SHORTEST = 6  # a shorter value is no credential (and masking it would garble ordinary text)
_JSON_SHORT = {'"': '\\"', "\\": "\\\\", "/": "\\/", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}


def _hex(text: str) -> str:
    """A regex for hex digits in either case."""
    return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else c for c in text)


def _char_forms(c: str) -> tuple[str, int]:
    """(regex, longest match in UTF-8 bytes) for one character of a credential, in every form output writes it."""
    if c.isascii() and c.isalnum():
        return c, 1
    raw = c.encode("utf-8", "surrogatepass")
    code = ord(c)
    forms = [re.escape(c), "".join("%" + _hex(f"{b:02X}") for b in raw)]
    if code > 0xFFFF:  # JSON writes a character outside the BMP as a surrogate pair
        high, low = 0xD800 + ((code - 0x10000) >> 10), 0xDC00 + ((code - 0x10000) & 0x3FF)
        forms.append(re.escape("\\u") + _hex(f"{high:04x}") + re.escape("\\u") + _hex(f"{low:04x}"))
    else:
        forms.append(re.escape("\\u") + _hex(f"{code:04x}"))
    if code <= 0xFF:
        forms.append(re.escape("\\x") + _hex(f"{code:02x}"))  # render.escape's and backslashreplace's form
    if c in _JSON_SHORT:
        forms.append(re.escape(_JSON_SHORT[c]))
    if c == " ":
        forms.append(re.escape("+"))
    return "(?:" + "|".join(forms) + ")", max(12, len(raw))


def _pattern(secret: str) -> tuple[str, int]:
    parts = [_char_forms(c) for c in secret]
    return "".join(p for p, _ in parts), sum(n for _, n in parts)


def _shown(secret: str) -> str:
    """The mask as the last step writes it: into JSON, a URL or a terminal alike, so only plain characters."""
    return "[" + re.sub(r"[^A-Za-z0-9_.\-…() ]", "*", mask(secret)) + "]"


class Known:
    """The credentials found in the calls this process has read, and the one step that masks them."""

    def __init__(self) -> None:
        self.values: set[str] = set()
        self.revealed = False  # --reveal: print recorded credentials as they are
        self.longest = 0  # the longest a credential can be as written, in bytes
        self._order: list[str] = []
        self._bytes: re.Pattern[bytes] | None = None
        self._text: re.Pattern[str] | None = None

    def add(self, values: Iterable[str]) -> None:
        new = {v for v in values if isinstance(v, str) and len(v) >= SHORTEST and v not in self.values}
        if new:
            self.values |= new
            self._bytes = self._text = None

    def _compile(self) -> None:
        self._order = sorted(self.values, key=len, reverse=True)  # a credential holding another is masked whole
        patterns = [_pattern(v) for v in self._order]
        self.longest = max(n for _, n in patterns)
        joined = "|".join(f"({p})" for p, _ in patterns)
        self._text = re.compile(joined)
        self._bytes = re.compile(joined.encode("utf-8", "surrogatepass"))

    @property
    def active(self) -> bool:
        return bool(self.values) and not self.revealed

    def text(self, text: str) -> str:
        """`text` with every known credential masked, in any form."""
        if not self.active:
            return text
        if self._text is None:
            self._compile()
        assert self._text is not None
        return self._text.sub(lambda m: _shown(self._order[(m.lastindex or 1) - 1]), text)

    def bytes(self, data: bytes, keep: int = 0) -> tuple[bytes, bytes]:
        """(what can be written, what must wait): `data` masked, less its last `keep` bytes when a credential
        could begin there and end in the next write."""
        if not self.active:
            return data, b""
        if self._bytes is None:
            self._compile()
        assert self._bytes is not None
        cut = len(data) - keep
        out, at = [], 0
        for match in self._bytes.finditer(data):
            if match.start() >= cut:
                break
            out += [data[at:match.start()], _shown(self._order[(match.lastindex or 1) - 1]).encode("utf-8")]
            at = match.end()
        if cut > at:
            out.append(data[at:cut])
            at = cut
        return b"".join(out), data[at:]

    # --- what the pipeline asks (reading.pipeline.Credentials) ----------------------------------------------

    def look(self, call: Call, printed: list[str] | None) -> frozenset[str]:
        """The credentials of one call, where it is read. `printed`: what the command prints of it, when
        that is less than the call; a call is searched whole when those could hold one, or it failed."""
        if self.revealed:
            return frozenset()
        from llmcat.validation import keyshapes

        if printed is not None and call.completion.error is None and not keyshapes.suspect("\n".join(printed)):
            return frozenset()  # (one quick look at all of them: ~1 us, where four cost ls --json 9%)
        from llmcat.validation.secrets import secret_values

        return frozenset(secret_values(call.recording, call.completion))


KNOWN = Known()


def mask_in(text: str, secrets: Collection[str]) -> str:
    """`text` with every occurrence of each secret replaced by its mask (longest first, so a
    secret containing another is masked whole)."""
    if KNOWN.revealed:
        return text
    KNOWN.add(secrets)  # and by the last step, in whatever form a later output writes it
    return _masked(text, sorted(set(secrets), key=len, reverse=True))


def _masked(text: str, ordered: list[str]) -> str:
    for secret in ordered:
        if secret and secret in text:
            text = text.replace(secret, f"[{mask(secret)}]")
    return text


def mask_tree(value: Any, secrets: Collection[str]) -> Any:
    """A JSON-shaped value with every secret masked in every string (keys included)."""
    if not secrets or KNOWN.revealed:
        return value
    KNOWN.add(secrets)
    return _tree(value, sorted(set(secrets), key=len, reverse=True))


def _tree(value: Any, ordered: list[str]) -> Any:
    if isinstance(value, str):
        return _masked(value, ordered)
    if isinstance(value, dict):
        return {_tree(k, ordered): _tree(v, ordered) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_tree(v, ordered) for v in value]
    return value


def mask_document(doc: Any, secrets: Collection[str]) -> Any:
    """`show`'s document (render.document.Document) with every secret masked in every text."""
    if not secrets or KNOWN.revealed:
        return doc
    KNOWN.add(secrets)
    found = sorted(set(secrets), key=len, reverse=True)
    doc.heading = _masked(doc.heading, found)
    for section in doc.sections:
        if section.text is not None:
            section.text = _masked(section.text, found)
        for f in section.fields:
            f.value = _masked(f.value, found)
        for entry in section.entries or []:  # a transcript's role-labelled blocks
            entry.label = _masked(entry.label, found)
            entry.text = _masked(entry.text, found)
    return doc
