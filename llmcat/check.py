"""`llmcat check`: what is wrong with a suite of recordings, one finding per line.

Per call: a stream cut short (`truncated-stream`), content after the finish
(`chunks-after-finish`), a total that is not prompt + completion (`usage-mismatch`),
a failed call (`recorded-error`). Per file: cannot be read (`unreadable`), is not a
recording (`not-a-recording`), its name is not its request's hash (`hash-mismatch`).
Across files: two files recording the same request (`duplicate-request`).
"""

from __future__ import annotations

import hashlib
import os
from msgspec import Struct
from typing import TYPE_CHECKING, Any

import orjson

from llmcat.model import Completion, Need, Recording
from llmcat.pipeline import Call, Work
from llmcat.status import ExitStatus
from llmcat.walk import Source

if TYPE_CHECKING:
    from llmcat.render.output import Output

ERROR, WARNING, INFO = "error", "warning", "info"


class Finding(Struct):
    source: str
    interaction: int | None  # None for a finding about the whole file
    label: str  # the path, with `#N` for a call inside a multi-call file
    level: str
    code: str
    message: str


class FileFindings(Struct):
    findings: list[Finding]
    requests: list[tuple[int, str, str]]  # (interaction, label, request key) for duplicate detection


class FindingsWork(Work[FileFindings]):
    """check reads with the general reader (it looks at the recording as stored), in blocks."""

    need = Need.EVERYTHING
    in_blocks = True

    def digest(self, source: Source, calls: list[Call]) -> FileFindings:
        return file_findings(source.spec, calls)


def file_findings(spec: str, calls: list[Call]) -> FileFindings:
    """Everything `check` can say about one readable file (runs in the reader processes)."""
    out = FileFindings([], [])
    for call in calls:
        rec, completion = call.recording, call.completion
        name = rec.label
        for level, code, message in call_findings(rec, completion):
            out.findings.append(Finding(rec.source, rec.interaction, name, level, code, message))
        key = request_key(rec, completion)
        if key is not None:
            out.requests.append((rec.interaction, name, key))
    if len(calls) == 1 and calls[0].recording.format == "llama-stack" and spec != "-":
        rec = calls[0].recording
        message = hash_finding(spec, rec.stored)
        if message:
            out.findings.append(Finding(rec.source, rec.interaction, rec.label, WARNING, "hash-mismatch", message))
    return out


def call_findings(rec: Recording, completion: Completion) -> list[tuple[str, str, str]]:
    found = []
    if rec.response.streaming and not completion.finished:
        found.append((ERROR, "truncated-stream", f"the stream ends without a finish ({completion.chunks} chunks)"))
    if completion.content_after_finish:
        n = completion.content_after_finish
        found.append((WARNING, "chunks-after-finish", f"{n} chunk{'s' if n != 1 else ''} carry content after the finish"))
    usage = completion.usage
    if usage and None not in (usage.prompt_tokens, usage.completion_tokens, usage.total_tokens):
        if usage.total_tokens not in _totals(usage.prompt_tokens + usage.completion_tokens, usage.reported):
            found.append((WARNING, "usage-mismatch", f"total_tokens {usage.total_tokens} is not prompt {usage.prompt_tokens}"
                                                      f" + completion {usage.completion_tokens}"))
    if completion.error is not None:
        found.append((INFO, "recorded-error", "the call failed: " + _error_text(completion.error)))
    return found


# Counts a provider's own total takes in but its prompt and completion counts leave out: Gemini's
# thinking and tool-use prompt tokens, Google Interactions' thought and tool-use tokens, Bedrock's
# cache reads and writes.
_ALSO_IN_TOTAL = ("thoughtsTokenCount", "thoughts_token_count", "toolUsePromptTokenCount", "tool_use_prompt_token_count",
                  "total_thought_tokens", "total_tool_use_tokens", "cacheReadInputTokens", "cacheWriteInputTokens")


def _totals(counted: int, raw: Any) -> tuple[int, ...]:
    """The totals that agree with prompt + completion for this provider. Reasoning tokens are part of
    the completion for OpenAI, but xAI counts them apart (in the total, not in completion_tokens)."""
    if not isinstance(raw, dict):
        return (counted,)
    counted += sum(v for k in _ALSO_IN_TOTAL if _is_count(v := raw.get(k)))
    details = raw.get("completion_tokens_details")
    reasoning = details.get("reasoning_tokens") if isinstance(details, dict) else None
    return (counted, counted + reasoning) if _is_count(reasoning) and reasoning else (counted,)


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _error_text(error: dict) -> str:
    parts = [str(error[k]) for k in ("status_code", "type") if error.get(k) is not None]
    message = error.get("message")
    if isinstance(message, str) and message:
        parts.append(message if len(message) <= 200 else message[:199] + "…")
    return " ".join(parts) or "no details recorded"


def hash_finding(spec: str, raw: Any) -> str | None:
    from llmcat.formats import split_address
    from llmcat.hashing import matching_scheme

    name = os.path.basename(split_address(spec)[0])
    try:
        scheme = matching_scheme(name, raw)
    except ValueError:  # the name is not a hash, or no scheme is known for this kind of recording
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

        data = json.dumps(ident, sort_keys=True, default=str).encode("utf-8", "surrogatepass")
    return hashlib.sha256(data).hexdigest()


def run_check(paths: list[str], as_json: bool, strict: bool, output: Output) -> ExitStatus:
    """`llmcat check`: OK nothing wrong, FOUND an error (or with --strict a warning), TROUBLE running."""
    from llmcat.formats import split_address
    from llmcat.render.escape import inline
    from llmcat.render.machine import dumps_line
    from llmcat.pipeline import read, sources

    problems, out = output.problems, output.stdout
    present = []
    for path in paths:
        if path == "-" or os.path.lexists(split_address(path)[0]):
            present.append(path)
        else:
            problems.report(path, "no such file or directory")
    files = sources(present)
    progress = output.progress(len(files))
    per_file: list[list[Finding]] = []
    first_seen: dict[str, str] = {}
    try:
        for result in read(files, FindingsWork(), progress.advance):
            findings: list[Finding] = []
            if result.failure is not None:
                if result.explicit or result.expected:
                    code, reason = result.failure.code, result.failure.reason
                    findings.append(Finding(result.spec, None, result.spec, ERROR, code, reason))
            elif result.value is not None:
                findings += result.value.findings
                for interaction, name, key in result.value.requests:
                    if key in first_seen and first_seen[key] != result.spec:
                        findings.append(Finding(result.spec, interaction, name, WARNING, "duplicate-request",
                                                f"records the same request as {first_seen[key]}"))
                    else:
                        first_seen.setdefault(key, result.spec)
            per_file.append(findings)
    finally:
        progress.close()
    failing = {ERROR, WARNING} if strict else {ERROR}
    failed = False
    for findings in per_file:
        for f in findings:
            failed |= f.level in failing
            if as_json:
                out.write(dumps_line({"source": f.source, "interaction": f.interaction, "level": f.level, "code": f.code,
                                      "message": f.message}))
            else:
                out.write(f"{inline(f.label)}: {f.level}: {f.code}: {inline(f.message)}\n".encode("utf-8", "backslashreplace"))
    out.flush()
    return ExitStatus.of(problems.count, found=failed)
