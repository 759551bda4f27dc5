"""`llmcat explain` on real recordings (../shared/corpus; skipped when absent): every recorded request,
changed in one field, explained against the whole corpus in one run. The original recording must come
first and the changed field be named among its differences in at least 95% of them; llama-stack's
request hashes, recomputed, must equal each recording's own name in at least 99%."""

from __future__ import annotations

import json
import os

import orjson
import pytest

from conftest import SHARED, run

CORPUS = SHARED / "corpus"
pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason="no ../shared/corpus")


def _recorded_calls():
    from llmcat.formats import load
    from llmcat.model import Need

    for top, _, files in sorted(os.walk(CORPUS)):
        for name in sorted(files):
            path = os.path.join(top, name)
            try:
                recordings, _ = load(path, Need.EVERYTHING)
            except Exception:  # (READMEs, files llmcat does not read)
                continue
            yield from recordings


def _changed(rec, n: int) -> tuple[dict, str, str] | None:
    """The recorded request as explain takes it, changed in one field (chosen in turn among those it has),
    the kind of change, and the difference path that names it."""
    request = rec.request
    if not isinstance(request.url, str) or not request.url.startswith("http") or not request.method:
        return None
    body = json.loads(json.dumps(request.body, default=str)) if request.body is not None else None
    out = {"method": request.method, "url": request.url, "body": body}
    if request.test_id:
        out["test_id"] = request.test_id
    changes = ["query", "path"]
    if isinstance(body, dict):
        changes += ["parameter"]
        if isinstance(body.get("model"), str):
            changes.append("model")
        if isinstance(body.get("tools"), list) and all(isinstance(t, dict) for t in body["tools"]):
            changes.append("tool")
        messages = body.get("messages")
        if isinstance(messages, list) and messages and isinstance(messages[-1], dict) and isinstance(messages[-1].get("content"), str):
            changes.append("message")
    change = changes[n % len(changes)]
    if change == "query":
        out["url"] += ("&" if "?" in out["url"] else "?") + "x_probe=1"
        return out, change, "request.query.x_probe"
    if change == "path":
        head, sep, query = out["url"].partition("?")
        out["url"] = head + "_x" + sep + query
        return out, change, "request.path"
    if change == "parameter":
        body["temperature"] = 0.123
        return out, change, "request.params.temperature"
    if change == "model":
        body["model"] += "-x"
        return out, change, "request.model"
    if change == "tool":
        body["tools"].append({"type": "function", "function": {"name": "get_time_x", "parameters": {"type": "object"}}})
        return out, change, "request.tools[+get_time_x]"
    messages[-1]["content"] += " (edited)"
    return out, change, f"request.messages[{len(messages) - 1}].content"


@pytest.mark.slow
def test_real_requests_changed_in_one_field_find_their_recording_first():
    cases = []
    for n, rec in enumerate(_recorded_calls()):
        changed = _changed(rec, n)
        if changed is not None:
            cases.append((rec, *changed))
    assert len(cases) >= 100
    lines = b"\n".join(orjson.dumps(request) for _, request, _, _ in cases)
    result = run("explain", "--json", "-n", "3", "-", CORPUS, input=lines)
    assert result.exit_code in (1, 2), result.stderr
    out = [orjson.loads(line) for line in result.stdout_bytes.splitlines()]
    assert len(out) == len(cases)
    first = named = 0
    misses = []
    for (rec, _, change, path), line in zip(cases, out, strict=True):
        candidates = line["candidates"]
        top = candidates[0] if candidates else {}
        if (top.get("source"), top.get("interaction")) == (rec.source, rec.interaction):
            first += 1
        else:
            misses.append((rec.label, change))
        original = next((c for c in candidates if (c["source"], c["interaction"]) == (rec.source, rec.interaction)), None)
        if original is not None and path in [d["path"] for d in original["differences"]]:
            named += 1
    total = len(cases)
    print(f"\nexplain on the corpus: {total} requests; original first {first}/{total} ({first / total:.1%}), "
          f"changed field named {named}/{total} ({named / total:.1%}); first missed: {misses[:10]}")
    assert first / total >= 0.95
    assert named / total >= 0.95


def test_llama_stack_hashes_recomputed_equal_each_recordings_own():
    from llmcat.comparison.asked import Asked
    from llmcat.comparison.matchers import verdict

    equal = judged = 0
    for rec in _recorded_calls():
        if rec.format != "llama-stack":
            continue
        found = verdict(Asked(rec.label, rec, "recording"), rec)
        if found is None or found.hashes is None or found.hashes["recording"] is None:
            continue
        judged += 1
        equal += found.rules["hash"] is True
    print(f"\nllama-stack hashes recomputed equal to the file's own: {equal}/{judged} ({equal / judged:.1%})")
    assert judged >= 50
    assert equal / judged >= 0.99


WIREMOCK = SHARED / "new-recorders" / "wiremock"


@pytest.mark.skipif(not WIREMOCK.is_dir(), reason="no ../shared/new-recorders/wiremock")
def test_real_wiremock_stubs_match_the_requests_they_were_recorded_from():
    """Each real stub's own request (its URL made absolute, as a client sends it) matches it exactly, by
    WireMock's rules: method, the URL as the stub's key says, its header matchers, equalToJson."""
    from llmcat.formats import load

    stubs = sorted((WIREMOCK / "mappings").glob("*.json"))
    assert stubs
    for stub in stubs:
        (rec,) = load(str(stub))[0]
        request = {"method": rec.request.method, "url": "http://localhost:8080" + json.loads(stub.read_text())["request"]["url"],
                   "headers": {"Content-Type": "application/json"}, "body": rec.request.body}
        result = run("explain", "--json", "-n", "1", "-", WIREMOCK, input=orjson.dumps(request))
        (line,) = [orjson.loads(x) for x in result.stdout_bytes.splitlines()]
        first = line["candidates"][0]
        assert result.exit_code == 0, result.stderr
        assert first["source"] == str(stub) and first["recorder"] == "wiremock" and first["exact"] is True
        assert first["matches"] == {"method": True, "url": True, "headers": True, "equalToJson": True}
        request["headers"]["Content-Type"] = "text/plain"
        request["body"]["max_tokens"] = request["body"].get("max_tokens", 0) + 1 if "max_tokens" in request["body"] else 7
        result = run("explain", "--json", "-n", "1", "-", WIREMOCK, input=orjson.dumps(request))
        first = orjson.loads(result.stdout_bytes)["candidates"][0]
        assert first["matches"] == {"method": True, "url": True, "headers": False, "equalToJson": False}
