"""Accepted findings: `check --write-baseline FILE` writes them, `check --baseline FILE` leaves
them out, so that a suite with findings its owners accept can gate CI on new ones.

A baseline is JSON, one entry per finding accepted, sorted so that its diffs read well in review:

    {"llmcat-baseline": 1,
     "findings": [{"file": "cassettes/test_chat.yaml", "code": "secret", "hash": "5f2c…", "count": 1}]}

`file` is the recording's path relative to the baseline's own folder (the baseline can be used
from any working directory), `code` the finding's, `hash` the first 16 hex digits of the SHA-256
of the code and the message (a credential's message holds it masked: the baseline never holds a
credential, nor anything a credential could be recovered from), `count` how many such findings
the file had. The call's position in the file is not in the key: a cassette recorded again with
one more call keeps its accepted findings. A finding is left out while its file still has fewer
of that kind than the baseline counts.

Pure functions, no I/O.
"""

from __future__ import annotations

import hashlib
import os
from collections import Counter
from collections.abc import Iterable

import orjson

from llmcat.validation.findings import Finding

VERSION = 1

Key = tuple[str, str, str]  # (file relative to the baseline's folder, code, hash)


def finding_hash(finding: Finding) -> str:
    return hashlib.sha256(f"{finding.code}\0{finding.message}".encode("utf-8", "surrogatepass")).hexdigest()[:16]


def key_of(finding: Finding, folder: str) -> Key:
    return _relative(finding.source, folder), finding.code, finding_hash(finding)


def dump(findings: Iterable[Finding], folder: str) -> bytes:
    """The baseline accepting these findings; `folder` is where the baseline will be written."""
    counts = Counter(key_of(f, folder) for f in findings)
    entries = [{"file": file, "code": code, "hash": digest, "count": n} for (file, code, digest), n in sorted(counts.items())]
    return orjson.dumps({"llmcat-baseline": VERSION, "findings": entries}, option=orjson.OPT_INDENT_2) + b"\n"


def load(data: bytes) -> Counter[Key]:
    """The findings a baseline accepts, counted; ValueError naming what is wrong with it."""
    try:
        obj = orjson.loads(data)
    except orjson.JSONDecodeError as e:
        raise ValueError(f"not a baseline: not JSON ({e})") from None
    if not isinstance(obj, dict) or obj.get("llmcat-baseline") != VERSION or not isinstance(obj.get("findings"), list):
        raise ValueError(f'not a baseline of this llmcat: no "llmcat-baseline": {VERSION} with "findings"')
    accepted: Counter[Key] = Counter()
    for n, entry in enumerate(obj["findings"]):
        if not (isinstance(entry, dict) and all(isinstance(entry.get(k), str) for k in ("file", "code", "hash"))):
            raise ValueError(f"baseline entry {n}: needs file, code and hash as strings")
        count = entry.get("count", 1)
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            raise ValueError(f"baseline entry {n}: count must be a whole number of at least 1")
        accepted[(entry["file"], entry["code"], entry["hash"])] += count
    return accepted


def unaccepted(findings: list[Finding], accepted: Counter[Key], folder: str) -> tuple[list[Finding], int]:
    """The findings the baseline does not accept, and how many it did. `accepted` is used up as
    findings match it (share one Counter across all files of a run)."""
    kept = []
    matched = 0
    for finding in findings:
        key = key_of(finding, folder)
        if accepted[key] > 0:
            accepted[key] -= 1
            matched += 1
        else:
            kept.append(finding)
    return kept, matched


def _relative(source: str, folder: str) -> str:
    if source == "-":
        return source
    try:
        path = os.path.relpath(os.path.abspath(source), folder)
    except ValueError:  # another drive (Windows): keep it whole
        path = os.path.abspath(source)
    return path.replace(os.sep, "/")
