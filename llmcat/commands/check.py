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

from msgspec import Struct

from llmcat.status import ExitStatus
from llmcat.validation.findings import CODES, DEFAULT_MAX_SIZE, ERROR, INFO, WARNING, FileFindings, Finding, FindingsWork

if TYPE_CHECKING:
    from collections import Counter

    from llmcat.render.output import Output
    from llmcat.validation.baseline import Key

__all__ = ["CODES", "Report", "parse_size", "run_check"]

FORMATS = ("text", "json", "sarif")


class Report(Struct):
    """How `check` reports: `format` text (lines in a pipe, groups on a terminal), json or sarif;
    `verbose` lists every finding under its group on a terminal; `baseline` leaves out the findings
    it accepts; `write_baseline` writes one accepting every finding instead of reporting."""

    format: str = "text"
    strict: bool = False
    verbose: bool = False
    baseline: str | None = None
    write_baseline: str | None = None


def run_check(paths: list[str], report: Report, output: Output, codes: frozenset[str] = frozenset(CODES),
              max_size: int = DEFAULT_MAX_SIZE) -> ExitStatus:
    """`llmcat check`: OK nothing wrong, FOUND an error (or with --strict a warning), TROUBLE running.
    `codes`: the finding codes to look for and report (`--only`, `--skip`)."""
    from llmcat.formats import anything_at, split_address
    from llmcat.reading.pipeline import read, sources

    if codes & {"secret", "cookie", "encoded-body"}:  # imported before the readers fork: compiled once
        import llmcat.validation.encoded
        import llmcat.validation.secrets  # noqa: F401
        from llmcat.validation.keyshapes import use_hyperscan

        use_hyperscan()

    accepted = _load_baseline(report.baseline, output) if report.baseline else None
    if report.baseline and accepted is None:
        return ExitStatus.of(output.problems.count, found=False)
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
    groups: list[str] = []  # the test file each file's findings are grouped under on a terminal
    recorded = []
    first_seen: dict[str, str] = {}
    try:
        for result in read(files, FindingsWork(codes, locate=report.format == "sarif"), progress.advance):
            findings: list[Finding] = []
            group = result.spec
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
                group = _test_file(result.spec, result.value)
            per_file.append(findings)
            groups.append(group)
    finally:
        progress.close()
    if "orphan" in codes:
        _add_orphans(per_file, recorded)
    found = [[f for f in findings if f.code in codes] for findings in per_file]
    if report.write_baseline:
        return _write_baseline(report.write_baseline, found, output)
    return _report(found, groups, report, output, accepted)


def _test_file(spec: str, value: FileFindings) -> str:
    from llmcat.validation.findings import test_file_of

    return test_file_of(spec, value.format, value.test_id)


def _add_orphans(per_file: list[list[Finding]], recorded: list[tuple[int, str, FileFindings]]) -> None:
    from llmcat.validation.orphans import Recorded, find_orphans

    index = {spec: i for i, spec, _ in recorded}
    found = find_orphans(Recorded(spec, value.format or "", value.test_id) for _, spec, value in recorded if value.format)
    for orphan in found:
        per_file[index[orphan.source]].append(Finding(orphan.source, None, orphan.source, WARNING, "orphan", orphan.message))


def _load_baseline(path: str, output: Output) -> Counter[Key] | None:
    from llmcat.formats import read_bytes
    from llmcat.model import InputError
    from llmcat.validation.baseline import load

    try:
        return load(read_bytes(path))
    except (InputError, ValueError) as e:
        output.problems.report(path, str(e))
        return None


def _write_baseline(path: str, per_file: list[list[Finding]], output: Output) -> ExitStatus:
    import os

    from llmcat.validation.baseline import dump

    findings = [f for findings in per_file for f in findings]
    data = dump(findings, os.path.dirname(os.path.abspath(path)))
    try:
        _write_atomically(path, data)
    except OSError as e:
        output.problems.report(path, f"cannot write the baseline: {e.strerror or e}")
        return ExitStatus.of(output.problems.count, found=False)
    from llmcat.render.escape import inline

    output.stderr.write(f"llmcat: {inline(path)}: a baseline accepting {len(findings)} finding{'s' if len(findings) != 1 else ''}\n")
    return ExitStatus.of(output.problems.count, found=False)


def _write_atomically(path: str, data: bytes) -> None:
    import os
    import tempfile

    folder = os.path.dirname(os.path.abspath(path))
    fd, temporary = tempfile.mkstemp(dir=folder, prefix=".llmcat-baseline-")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def _report(per_file: list[list[Finding]], groups: list[str], report: Report, output: Output,
            accepted: Counter[Key] | None) -> ExitStatus:
    from llmcat.render.check_view import finding_line, grouped_view
    from llmcat.render.machine import dumps_line

    out = output.stdout
    if accepted is not None:
        import os

        from llmcat.validation.baseline import unaccepted

        assert report.baseline is not None
        folder = os.path.dirname(os.path.abspath(report.baseline))
        kept = [unaccepted(findings, accepted, folder) for findings in per_file]
        per_file, in_baseline = [k for k, _ in kept], sum(n for _, n in kept)
    else:
        in_baseline = 0
    failing = {ERROR, WARNING} if report.strict else {ERROR}
    failed = any(f.level in failing for findings in per_file for f in findings)
    totals = dict.fromkeys((ERROR, WARNING, INFO), 0)
    for findings in per_file:
        for f in findings:
            totals[f.level] += 1
    if report.format == "sarif":
        out.write(_sarif(per_file))
    elif report.format == "json":
        for findings in per_file:
            for f in findings:
                out.write(dumps_line({"source": f.source, "interaction": f.interaction, "level": f.level, "code": f.code,
                                      "message": f.message}))
    elif output.terminal:  # grouped for a person; the totals end the view
        rows = [(group, f.source, f.label, f.level, f.code, f.message) for group, findings in zip(groups, per_file, strict=True)
                for f in findings]
        out.write(grouped_view(rows, output.color, report.verbose))
        if any(totals.values()) or in_baseline:
            out.write(totals_line(totals, in_baseline).encode())
    else:  # in a pipe every line is a finding (grep, awk)
        for findings in per_file:
            for f in findings:
                out.write(finding_line(f.label, f.level, f.code, f.message, output.color))
    out.flush()
    return ExitStatus.of(output.problems.count, found=failed)


def _sarif(per_file: list[list[Finding]]) -> bytes:
    from importlib.metadata import PackageNotFoundError, version

    from llmcat.render.sarif import sarif_log
    from llmcat.validation.baseline import finding_hash
    from llmcat.validation.findings import HELP

    try:
        own = version("llmcat")
    except PackageNotFoundError:
        own = "0"
    rules = {code: (level, HELP.get(code, code)) for code, level in CODES.items()}
    results = [(f.source, f.interaction, f.line, f.level, f.code, f.message, finding_hash(f))
               for findings in per_file for f in findings]
    return sarif_log(rules, results, own)


def totals_line(totals: dict[str, int], in_baseline: int = 0) -> str:
    """`2 errors, 14 warnings, 3 infos` (`, 5 in the baseline`)."""
    line = ", ".join(f"{n} {level}{'s' if n != 1 else ''}" for level, n in totals.items())
    return line + (f", {in_baseline} in the baseline" if in_baseline else "") + "\n"


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
