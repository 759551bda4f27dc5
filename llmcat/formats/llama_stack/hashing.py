"""llama-stack's request hashes: the names its recorder gives recording files.

A recording file is named after a hash of the request it answers, so a file whose
name no longer matches its content is a recording the replayer will never find.
llama-stack has changed the scheme over time; a name is "right" when any of the
known schemes reproduces it:

- legacy: sha256 of `{"method", "endpoint" (path of request.url), "body"}`, first 12 hex digits;
- current: the same dict plus `"test_id"` (left out for model lists), all 64 hex digits,
  with model lists named `models-<hash>-<8 hex>.json`;
- current, normalised: the body with floats rounded to 5 places, long decimals inside
  strings rounded likewise, `stream_options` dropped for Bedrock hosts and `project_id`
  dropped from `extra_body`/`extra_query`;
- tool-runtime recordings: sha256 of `{"provider", "tool_name", "kwargs"}`;
- HTTP passthrough recordings (`payload`): sha256 of `{"test_id", "url", "method", "payload"}`
  with the payload normalised.

Pure functions over the container's raw object; nothing here reads files.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlparse

# `<64 hex>.json`, `<12 hex>.json`, `models-<hash>-<8 hex>.json`
_NAME = re.compile(r"^(?:models-)?([0-9a-f]{12}|[0-9a-f]{64})(?:-[0-9a-f]{8})?\.json$")
_MODEL_LIST_PATHS = ("/api/tags", "/v1/models", "/v1/openai/v1/models")
_LONG_DECIMAL = re.compile(r"(-?\d+\.\d{4,})")
# Vector-search results pasted into prompts vary between runs; newer recorders mask them.
_SCORE = re.compile(r"score:\s*[-+]?\d*\.?\d+(?:[eE][-+]?\d+)?")
_ATTRIBUTES = re.compile(r",?\s*attributes:\s*\{[^}]*\}")
_DOCUMENT_ID = re.compile(r"document_id:\s*[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}")
_CITATION = re.compile(r"<\|[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}\|>")


def name_hash(filename: str) -> str | None:
    """The request hash a file name carries, or None when the name is not hash-shaped."""
    match = _NAME.match(filename)
    return match.group(1) if match else None


def _sha256(obj: Any) -> str:
    # json.dumps as the recorder calls it: ASCII-escaped, default separators, sorted keys.
    return hashlib.sha256(json.dumps(obj, sort_keys=True).encode()).hexdigest()


def _round_decimals(text: str) -> str:
    if "." not in text:  # (most strings: one C-speed look instead of a regex pass)
        return text
    return _LONG_DECIMAL.sub(lambda m: f"{float(m.group(0)):.5f}", text)


def _mask_search_metadata(text: str) -> str:
    text = _SCORE.sub("score: __NORMALIZED__", text)
    text = _ATTRIBUTES.sub("", text)
    text = _DOCUMENT_ID.sub("document_id: __NORMALIZED__", text)
    return _CITATION.sub("<|__NORMALIZED__|>", text)


def normalize_body(value: Any, drop_stream_options: bool = False, mask_search: bool = False, _root: bool = True) -> Any:
    """The body as the current recorder hashes it (see the module docstring)."""
    if isinstance(value, dict):
        out = {k: normalize_body(v, mask_search=mask_search, _root=False) for k, v in value.items()}
        if drop_stream_options:
            out.pop("stream_options", None)
        if _root:
            for key in ("extra_body", "extra_query"):
                extra = out.get(key)
                if isinstance(extra, dict):
                    out[key] = {k: v for k, v in extra.items() if k != "project_id"}
        return out
    if isinstance(value, list):
        return [normalize_body(v, mask_search=mask_search, _root=False) for v in value]
    if isinstance(value, float):
        return round(value, 5)
    if isinstance(value, str):
        return _round_decimals(_mask_search_metadata(value) if mask_search else value)
    return value


def has_scheme(raw: Any) -> bool:
    """Is there a known naming scheme for this kind of recording? (file-processor results have none.)"""
    req = raw.get("request") if isinstance(raw, dict) else None
    return isinstance(req, dict) and ("tool_name" in req or "payload" in req or "body" in req or "url" in req)


def candidate_hashes(raw: Any, short: bool = True, full: bool = True) -> Iterator[tuple[str, str]]:
    """(scheme, hash) for every name some llama-stack recorder version could have given this recording;
    `short`/`full`: the 12-digit (legacy) ones, the 64-digit ones (a name carries one length: the other
    need not be computed, each a JSON dump and a SHA-256 of the request)."""
    if not has_scheme(raw):
        return
    req = raw["request"]
    test_id = raw.get("test_id", req.get("test_id"))
    if "tool_name" in req:
        if full:
            yield "tool", _sha256({"provider": req.get("provider"), "tool_name": req.get("tool_name"), "kwargs": req.get("kwargs")})
        return
    method = str(req.get("method") or "POST").upper()
    if "payload" in req:
        for scheme, mask in (("http", False), ("http-masked", True)) if full else ():
            payload = normalize_body(req.get("payload"), mask_search=mask)
            yield scheme, _sha256({"test_id": test_id, "url": req.get("url"), "method": method, "payload": payload})
        return
    url = req.get("url") if isinstance(req.get("url"), str) else ""
    parsed = urlparse(url)
    body = req.get("body")
    base = {"method": method, "endpoint": parsed.path, "body": body}
    if short:
        yield "legacy", _sha256(base)[:12]
    if not full:
        return
    bedrock = "bedrock" in parsed.netloc
    model_list = parsed.path in _MODEL_LIST_PATHS or req.get("endpoint") in _MODEL_LIST_PATHS
    for scheme, candidate in (
        ("current", body),
        ("current-normalised", lambda: normalize_body(body, drop_stream_options=bedrock)),
        ("current-masked", lambda: normalize_body(body, drop_stream_options=bedrock, mask_search=True)),
    ):
        with_body = {**base, "body": candidate() if callable(candidate) else candidate}
        yield scheme, _sha256({**with_body, "test_id": test_id})
        if model_list:  # model lists are shared across tests: some versions hash them without the test id
            yield scheme + "-shared", _sha256(with_body)


def matching_scheme(filename: str, raw: Any) -> str | None:
    """The first scheme that reproduces the hash in `filename`, or None when none does.

    Raises ValueError when the check does not apply: the name carries no hash, or no
    scheme is known for this kind of recording.
    """
    wanted = name_hash(filename)
    if wanted is None:
        raise ValueError("file name is not a request hash")
    if not has_scheme(raw):
        raise ValueError("no naming scheme known for this kind of recording")
    try:
        return next((scheme for scheme, h in candidate_hashes(raw, short=len(wanted) == 12, full=len(wanted) == 64) if h == wanted), None)
    except (TypeError, ValueError, RecursionError):  # a body json cannot encode: no scheme applies
        return None
