"""What `check` finds in each file and call (the codes and what each means are listed in
`llmcat/commands/check.py`): findings of the calls as read, of the container as stored, and the keys
that tell two files recording the same request."""

from __future__ import annotations

import hashlib
import os
from typing import Any

import orjson
from msgspec import Struct

from llmcat.apis._empty import empty_answer
from llmcat.model import Completion, Need, Recording
from llmcat.reading.pipeline import Call, Work, read_data
from llmcat.reading.walk import Source
from llmcat.validation.usage import usage_mismatch

ERROR, WARNING, INFO = "error", "warning", "info"

# Every finding code and its level, in the order the README lists them.
CODES = {
    "unreadable": ERROR, "not-a-recording": ERROR, "truncated-stream": ERROR, "secret": ERROR,
    "chunks-after-finish": WARNING, "usage-mismatch": WARNING, "hash-mismatch": WARNING, "duplicate-request": WARNING,
    "cookie": WARNING, "orphan": WARNING, "empty-recording": WARNING, "empty-answer": WARNING,
    "recorded-error": INFO, "encoded-body": INFO, "large": INFO,
}
DEFAULT_MAX_SIZE = 1024 * 1024
# What each code means, in a sentence (SARIF's rule help; README's table says more).
HELP = {
    "unreadable": "The file cannot be read: missing, not JSON or YAML, cut short, or badly encoded.",
    "not-a-recording": "Well-formed data that is not a recording of any container llmcat knows.",
    "truncated-stream": "A streamed response that never reached its finish: the recording was cut short.",
    "secret": "A credential is recorded in the call: revoke it, then scrub it (llmcat redact --in-place).",
    "chunks-after-finish": "Chunks of a stream carry content after their answer's finish.",
    "usage-mismatch": "The token total does not add up by the provider's own rule.",
    "hash-mismatch": "The file name is not its request's hash under any llama-stack naming scheme: it will not be replayed.",
    "duplicate-request": "Another llama-stack recording records the same request: one of them is stale.",
    "cookie": "A cookie is recorded with its value: a session may be replayable from it.",
    "orphan": "The recording's test no longer exists.",
    "empty-recording": "A recording of a session that made no call.",
    "empty-answer": "A successful answer reads as empty though the provider counts output tokens: a shape llmcat does not read.",
    "recorded-error": "The call itself failed (an exception, or HTTP status 400 or above).",
    "encoded-body": "A body is stored compressed or as base64 though it is text: a reviewer cannot read it.",
    "large": "The recording is over --max-size.",
}


class Finding(Struct):
    source: str
    interaction: int | None  # None for a finding about the whole file
    label: str  # the path, with `#N` for a call inside a multi-call file
    level: str
    code: str
    message: str
    line: int | None = None  # where in the file, when known (a credential as written): SARIF's region


class FileFindings(Struct):
    findings: list[Finding]
    requests: list[tuple[int, str, str]]  # (interaction, label, request key) for duplicate detection
    test_id: str | None = None  # of the file's first call, for orphans
    format: str | None = None


class FindingsWork(Work[FileFindings]):
    """check reads in blocks, llama-stack streams with the fast reader (Need.CHECK), and a file again with
    the general reader where its bytes could hold a credential (it looks at the recording as stored)."""

    need = Need.CHECK
    in_blocks = True

    def __init__(self, codes: frozenset[str] = frozenset(CODES), locate: bool = False) -> None:
        self.codes = codes
        self.locate = locate  # find the line each credential is written on (SARIF)

    def digest(self, source: Source, calls: list[Call]) -> FileFindings:
        # (in place: the pipeline then looks for the output's mask in the calls as read in full too)
        calls[:] = read_in_full_where_needed(source, calls)
        return file_findings(source.spec, calls, self.codes, self.locate)


def read_in_full_where_needed(source: Source, calls: list[Call]) -> list[Call]:
    """The calls, read again by the general reader where the fast reader read them (Need.CHECK: its
    stored response keeps no body) and the file's bytes could hold a credential: the credential search
    looks at the whole recording as stored. A few files in a hundred; the rest are read once, quickly."""
    from llmcat.validation.secrets import nothing_to_find

    if len(calls) != 1:
        return calls
    rec = calls[0].recording
    if rec.raw is None or rec.response.recorded_events is None or nothing_to_find(rec):
        return calls
    whole = read_data(source, rec.raw, Need.EVERYTHING)
    return whole.value if whole.value is not None else calls


def file_findings(spec: str, calls: list[Call], codes: frozenset[str] = frozenset(CODES), locate: bool = False) -> FileFindings:
    """Everything `check` can say about one readable file (runs in the reader processes)."""
    out = FileFindings([], [])
    lines = _Lines(spec) if locate else None
    for call in calls:
        rec, completion = call.recording, call.completion
        name = rec.label
        start = len(out.findings)
        for level, code, message in call_findings(rec, completion) + stored_findings(rec, codes, completion):
            out.findings.append(Finding(rec.source, rec.interaction, name, level, code, message))
        if lines is not None and "secret" in codes:
            _locate_secrets(out.findings, start, rec, completion, lines)
        key = request_key(rec, completion)
        if key is not None:
            out.requests.append((rec.interaction, name, key))
    if len(calls) == 1 and calls[0].recording.format == "llama-stack" and spec != "-":
        rec = calls[0].recording
        mismatch = hash_finding(spec, rec.stored)
        if mismatch:
            out.findings.append(Finding(rec.source, rec.interaction, rec.label, WARNING, "hash-mismatch", mismatch))
    if calls:
        out.test_id, out.format = calls[0].recording.request.test_id, calls[0].recording.format
    return out


class _Lines:
    """The file's bytes, read again only when a credential is to be located in it. Calls come in
    the file's order: a value is looked for from where the previous call's first one was found
    (a key repeated in every call points at each call's own line), else from the start."""

    def __init__(self, spec: str) -> None:
        self.spec = spec
        self._data: bytes | None = None
        self.call_start = 0  # where the previous call's values begin
        self._first: int | None = None  # where this call's first value is

    def next_call(self) -> None:
        if self._first is not None:
            self.call_start, self._first = self._first, None

    def line_of(self, value: str) -> int | None:
        data = self._bytes()
        needle = value.encode("utf-8", "surrogatepass")
        at = data.find(needle, self.call_start) if needle else -1
        if at < 0 and needle:
            at = data.find(needle)
        if at < 0:
            return None
        self._first = at if self._first is None else min(self._first, at)
        return data.count(b"\n", 0, at) + 1

    def _bytes(self) -> bytes:
        if self._data is None:
            from llmcat.formats import read_bytes, split_address
            from llmcat.model import InputError

            try:
                self._data = b"" if self.spec == "-" else read_bytes(split_address(self.spec)[0])
            except InputError:
                self._data = b""
            if self._data[:2] == b"\x1f\x8b":  # a compressed file has no lines to point at
                self._data = b""
        return self._data


def _locate_secrets(found: list[Finding], start: int, rec: Recording, completion: Completion, lines: _Lines) -> None:
    """The line of each of this call's `secret` findings (from `start`): where its value is first written."""
    from llmcat.validation.secrets import credentials

    lines.next_call()
    values = iter(value for _, _, value in credentials(rec, completion))  # in the order `leaks` reported them
    for i in range(start, len(found)):
        finding = found[i]
        if finding.code == "secret":
            value = next(values, "")
            found[i] = Finding(finding.source, finding.interaction, finding.label, finding.level, finding.code,
                               finding.message, lines.line_of(value))


def stored_findings(rec: Recording, codes: frozenset[str], completion: Completion | None = None) -> list[tuple[str, str, str]]:
    """What the call holds as stored: credentials (also those only its reassembled `completion` holds whole),
    cookies, bodies nobody can read."""
    from llmcat.validation.cookies import cookies
    from llmcat.validation.encoded import encoded_bodies
    from llmcat.validation.secrets import leaks

    found = []
    if "secret" in codes:
        found += [(ERROR, "secret", f"{leak.place}: {leak.kind} recorded: {leak.masked}") for leak in leaks(rec, completion)]
    if "cookie" in codes:
        for jar in cookies(rec):
            names = ", ".join(jar.names)
            plural = "s" if len(jar.names) > 1 else ""
            found.append((WARNING, "cookie", f"{jar.place}: cookie{plural} {names} recorded with the value{plural}"
                                             " (a session may be replayable)"))
    if "encoded-body" in codes:
        found += [(INFO, "encoded-body", f"{e.place}: {e.how}: llmcat reads it, a reviewer cannot") for e in encoded_bodies(rec)]
    return found


def call_findings(rec: Recording, completion: Completion) -> list[tuple[str, str, str]]:
    found = []
    if rec.response.streaming and not completion.finished:
        found.append((ERROR, "truncated-stream", f"the stream ends without a finish ({completion.chunks} chunks)"))
    if completion.content_after_finish:
        n = completion.content_after_finish
        found.append((WARNING, "chunks-after-finish", f"{n} chunk{'s carry' if n != 1 else ' carries'} content after the finish"))
    mismatch = usage_mismatch(completion.api, completion.usage)
    if mismatch:
        found.append((WARNING, "usage-mismatch", mismatch))
    if completion.error is not None:
        found.append((INFO, "recorded-error", "the call failed: " + _error_text(completion.error)))
    empty = empty_answer(rec, completion)
    if empty is not None:
        found.append((WARNING, "empty-answer", empty[1]))
    return found


def _error_text(error: dict) -> str:
    parts = [str(error[k]) for k in ("status_code", "type") if error.get(k) is not None]
    message = error.get("message")
    if isinstance(message, str) and message:
        parts.append(message if len(message) <= 200 else message[:199] + "…")
    return " ".join(parts) or "no details recorded"


def hash_finding(spec: str, raw: Any) -> str | None:
    from llmcat.formats import split_address
    from llmcat.formats.llama_stack.hashing import matching_scheme

    name = os.path.basename(split_address(spec)[0])
    try:
        scheme = matching_scheme(name, raw)
    except ValueError:  # the name is not a hash, or no scheme is known for this kind of recording
        return None
    except RecursionError:  # a request nested deeper than Python can hash it: not checked
        return None
    return None if scheme else "the file name is not the request's hash under any llama-stack naming scheme"


def request_key(rec: Recording, completion: Completion) -> str | None:
    """What makes two recordings 'the same request': the request as recorded, headers aside.

    Only llama-stack recordings have one: its store holds one file per request, so a
    second file is a stale copy. VCR cassettes are one per test and repeat requests by
    design (two tests making the same call), so they are never duplicates.
    llama-stack keeps one model-list file per set of models for the same request
    (`models-<hash>-<digest>.json`), by design: there the models listed count too.
    """
    raw = rec.stored if isinstance(rec.stored, dict) else {}
    request = raw.get("request") if rec.format == "llama-stack" else None
    if not isinstance(request, dict):
        return None
    ident: Any = {k: v for k, v in request.items() if k not in ("headers", "provider_metadata")}
    ident["test_id"] = rec.request.test_id
    if os.path.basename(rec.source).startswith("models-"):
        ident = [ident, completion.details]
    try:
        data = orjson.dumps(ident, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS)
    except TypeError:
        import json

        try:
            data = json.dumps(ident, sort_keys=True, default=str).encode("utf-8", "surrogatepass")
        except RecursionError:  # nested deeper than Python can write (show still reads it): no duplicate check
            return None
    return hashlib.sha256(data).hexdigest()


def test_file_of(source: str, format: str | None, test_id: str | None) -> str:
    """The test file a recording belongs to, by its recorder's layout, for `check`'s terminal view to
    group findings under: a llama-stack recording's test id's file; a pytest-recording cassette
    (`…/cassettes/<module>/<test>.yaml`) its `<module>.py` beside `cassettes/`; else the file itself."""
    if format == "llama-stack" and test_id and "::" in test_id:
        return test_id.split("::", 1)[0]
    folder = os.path.dirname(source)
    if format == "vcr" and os.path.basename(os.path.dirname(folder)) == "cassettes":
        return os.path.join(os.path.dirname(os.path.dirname(folder)), os.path.basename(folder) + ".py")
    return source
