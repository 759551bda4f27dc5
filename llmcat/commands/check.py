"""`llmcat check`: what is wrong with a suite of recordings, one finding per line.

Per call: a stream cut short (`truncated-stream`), content after the finish
(`chunks-after-finish`), a total that does not add up by its provider's rule (`usage-mismatch`),
a successful answer that reads as empty though the provider counts output tokens (`empty-answer`),
a failed call (`recorded-error`), a credential recorded (`secret`), cookies recorded
with their values (`cookie`), a body stored compressed or base64 (`encoded-body`).
Per file: cannot be read (`unreadable`), is not a recording (`not-a-recording`), records
no call (`empty-recording`, a warning: read as no calls everywhere else), its
name is not its request's hash (`hash-mismatch`), it is over `--max-size` (`large`),
its test is gone (`orphan`). Across files: two files recording the same request
(`duplicate-request`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from llmcat.status import ExitStatus
from llmcat.validation.findings import CODES, DEFAULT_MAX_SIZE, ERROR, INFO, WARNING, FileFindings, Finding, FindingsWork

if TYPE_CHECKING:
    from llmcat.render.output import Output

__all__ = ["CODES", "parse_size", "run_check"]


def run_check(paths: list[str], as_json: bool, strict: bool, output: Output, codes: frozenset[str] = frozenset(CODES),
              max_size: int = DEFAULT_MAX_SIZE) -> ExitStatus:
    """`llmcat check`: OK nothing wrong, FOUND an error (or with --strict a warning), TROUBLE running.
    `codes`: the finding codes to look for and report (`--only`, `--skip`)."""
    from llmcat.formats import anything_at, split_address
    from llmcat.reading.pipeline import read, sources

    if codes & {"secret", "cookie", "encoded-body"}:  # imported before the readers fork: compiled once
        import llmcat.validation.encoded
        import llmcat.validation.secrets  # noqa: F401

    problems = output.problems
    present = []
    for path in paths:
        if path == "-" or anything_at(split_address(path)[0]):
            present.append(path)
        else:
            problems.report(path, "no such file or directory")
    files = sources(present)
    progress = output.progress(len(files))
    per_file: list[list[Finding]] = []
    recorded = []
    first_seen: dict[str, str] = {}
    try:
        for result in read(files, FindingsWork(codes), progress.advance):
            findings: list[Finding] = []
            if result.failure is not None:
                if result.explicit or result.expected:
                    code, reason = result.failure.code, result.failure.reason
                    findings.append(Finding(result.spec, None, result.spec, CODES.get(code, ERROR), code, reason))
            elif result.value is not None:
                if result.empty is not None:  # a recording of no call: said once, a warning (exit status unaffected)
                    findings.append(Finding(result.spec, None, result.spec, WARNING, "empty-recording", result.empty))
                findings += result.value.findings
                for interaction, name, key in result.value.requests:
                    if key in first_seen and first_seen[key] != result.spec:
                        findings.append(Finding(result.spec, interaction, name, WARNING, "duplicate-request",
                                                f"records the same request as {first_seen[key]}"))
                    else:
                        first_seen.setdefault(key, result.spec)
                if result.size > max_size:
                    findings.append(Finding(result.spec, None, result.spec, INFO, "large",
                                            f"{_size(result.size)}, over --max-size {_size(max_size)}"))
                recorded.append((len(per_file), result.spec, result.value))
            per_file.append(findings)
    finally:
        progress.close()
    if "orphan" in codes:
        _add_orphans(per_file, recorded)
    return _report([[f for f in findings if f.code in codes] for findings in per_file], as_json, strict, output)


def _add_orphans(per_file: list[list[Finding]], recorded: list[tuple[int, str, FileFindings]]) -> None:
    from llmcat.validation.orphans import Recorded, find_orphans

    index = {spec: i for i, spec, _ in recorded}
    found = find_orphans(Recorded(spec, value.format or "", value.test_id) for _, spec, value in recorded if value.format)
    for orphan in found:
        per_file[index[orphan.source]].append(Finding(orphan.source, None, orphan.source, WARNING, "orphan", orphan.message))


def _report(per_file: list[list[Finding]], as_json: bool, strict: bool, output: Output) -> ExitStatus:
    from llmcat.render.check_view import finding_line
    from llmcat.render.machine import dumps_line

    out = output.stdout
    failing = {ERROR, WARNING} if strict else {ERROR}
    failed = False
    totals = dict.fromkeys((ERROR, WARNING, INFO), 0)
    for findings in per_file:
        for f in findings:
            failed |= f.level in failing
            totals[f.level] += 1
            if as_json:
                out.write(dumps_line({"source": f.source, "interaction": f.interaction, "level": f.level, "code": f.code,
                                      "message": f.message}))
            else:
                out.write(finding_line(f.label, f.level, f.code, f.message, output.color))
    # The totals end the view on a terminal; in a pipe every line stays a finding (grep, awk).
    if not as_json and output.terminal and any(totals.values()):
        out.write(totals_line(totals).encode())
    out.flush()
    return ExitStatus.of(output.problems.count, found=failed)


def totals_line(totals: dict[str, int]) -> str:
    """`2 errors, 14 warnings, 3 infos`."""
    return ", ".join(f"{n} {level}{'s' if n != 1 else ''}" for level, n in totals.items()) + "\n"


def _size(n: int) -> str:
    for unit, scale in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}".replace(".0 ", " ")
    return f"{n} bytes"


def parse_size(text: str) -> int:
    """`1MB`, `500K`, `2 GiB`, `1048576`: a size in bytes (K, M, G are powers of 1024)."""
    import re

    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmg]?)(?:i?b)?\s*", text, re.IGNORECASE)
    if not match:
        raise ValueError(f"not a size: {text!r} (try 1MB, 500K, 1048576)")
    scale = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}[match.group(2).lower()]
    return int(float(match.group(1)) * scale)
