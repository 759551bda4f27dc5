"""`check` cries no wolf: each false alarm of real suites gone by a rule (usage by the provider's
own rule, finishes per output, guardrail finishes, cookies with no identity, public keys, no
orphan without test sources), while the real findings stay found. Through the real CLI, on
files written here in the recorders' shapes."""

from __future__ import annotations

import shutil
import string
import sys

import orjson
import yaml

from conftest import FIXTURES, run

sys.path.insert(0, str(FIXTURES))
import generate_apis  # noqa: E402
import generate_recorders  # noqa: E402
from generate_formats import dumps, headers, vcrpy  # noqa: E402


def findings(*paths, codes=()) -> list[dict]:
    args = [arg for code in codes for arg in ("--only", code)]
    result = run("check", "--json", *args, *paths)
    assert result.exit_code in (0, 1), result.stderr
    return [orjson.loads(line) for line in result.stdout_bytes.splitlines()]


def cassette(path, interactions: list[dict]) -> str:
    path.write_text(yaml.safe_dump({"interactions": interactions, "version": 1}, sort_keys=False))
    return str(path)


def chat(uri: str, answer: dict, req_headers: dict | None = None, resp_headers: dict | None = None) -> dict:
    call = generate_apis.post(uri, {"model": "m-fx", "messages": [{"role": "user", "content": "Hi"}]},
                              resp_headers or headers("application/json"), answer)
    call["request"]["headers"].update({k: [v] for k, v in (req_headers or {}).items()})
    return call


def answer(usage: dict, outputs: int = 1) -> dict:
    return {"id": "c1", "object": "chat.completion", "model": "m-fx", "usage": usage,
            "choices": [{"index": i, "finish_reason": "stop", "message": {"role": "assistant", "content": f"Hello {i}."}}
                        for i in range(outputs)]}


# --- usage, by the provider's rule -------------------------------------------------------------


def xai_grpc(tmp_path, usage: dict, outputs: int = 1) -> str:
    (call,) = generate_recorders.xai_sample()[1:]
    body = call["response_sample"]["json"]
    body["usage"] = usage
    body["outputs"] = [{"index": i, "finish_reason": "REASON_STOP", "message": {"role": "ROLE_ASSISTANT", "content": f"Answer {i}."}}
                       for i in range(outputs)]
    path = tmp_path / "xai.xai.yaml"
    path.write_text(generate_recorders.xai_cassette([call]))
    return str(path)


def test_xai_counts_reasoning_in_its_total(tmp_path):
    usage = {"prompt_tokens": 1889, "completion_tokens": 52, "reasoning_tokens": 161, "total_tokens": 2102}
    assert findings(xai_grpc(tmp_path, usage), codes=["usage-mismatch"]) == []
    wrong = findings(xai_grpc(tmp_path, {**usage, "total_tokens": 2103}), codes=["usage-mismatch"])
    assert [f["message"] for f in wrong] == ["total_tokens 2103 is not prompt 1889 + completion 52 + reasoning"]
    # xAI's OpenAI-shaped API: reasoning in completion_tokens_details, counted apart too
    shaped = {"prompt_tokens": 1889, "completion_tokens": 52, "total_tokens": 2102,
              "completion_tokens_details": {"reasoning_tokens": 161}}
    path = cassette(tmp_path / "xai-rest.yaml", [chat("https://api.x.ai/v1/chat/completions", answer(shaped))])
    assert findings(path, codes=["usage-mismatch"]) == []


def test_gemini_live_totals_prompt_and_response(tmp_path):
    text = (FIXTURES / "websocket" / "gemini_live.yaml").read_text()
    assert "      totalTokenCount: 240\n" in text
    live = tmp_path / "live.yaml"
    live.write_text(text.replace("      totalTokenCount: 240\n", "      totalTokenCount: 240\n      thoughtsTokenCount: 24\n"))
    assert findings(live, codes=["usage-mismatch"]) == []
    live.write_text(text.replace("      totalTokenCount: 240\n", "      totalTokenCount: 250\n"))
    assert [f["message"] for f in findings(live, codes=["usage-mismatch"])] == ["total_tokens 250 is not prompt 210 + completion 30"]


def test_mistral_counts_the_audio_in_its_total(tmp_path):
    audio = {"prompt_tokens": 4, "completion_tokens": 12, "total_tokens": 381, "prompt_audio_seconds": 3}
    uri = "https://api.mistral.ai/v1/chat/completions"
    assert findings(cassette(tmp_path / "a.yaml", [chat(uri, answer(audio))]), codes=["usage-mismatch"]) == []
    short = findings(cassette(tmp_path / "b.yaml", [chat(uri, answer({**audio, "total_tokens": 10}))]), codes=["usage-mismatch"])
    assert [f["message"] for f in short] == ["total_tokens 10 is less than prompt 4 + completion 12"]
    plain = {"prompt_tokens": 4, "completion_tokens": 12, "total_tokens": 381}  # no audio: prompt + completion
    assert len(findings(cassette(tmp_path / "c.yaml", [chat(uri, answer(plain))]), codes=["usage-mismatch"])) == 1


# --- finishes ------------------------------------------------------------------------------------


def test_several_outputs_of_a_whole_xai_response_are_not_content_after_finish(tmp_path):
    usage = {"prompt_tokens": 10, "completion_tokens": 6, "total_tokens": 16}
    assert findings(xai_grpc(tmp_path, usage, outputs=3)) == []
    stream = tmp_path / "stream.xai.yaml"
    (call,) = generate_recorders.xai_stream()
    chunks = call["response_stream"]["chunks_json"]
    chunks.append({"chunk": {**chunks[-1]["chunk"], "outputs": [{"delta": {"content": "late"}}]}})
    stream.write_text(generate_recorders.xai_cassette([call]))
    assert [(f["code"], f["message"]) for f in findings(stream)] == [("chunks-after-finish", "1 chunk carries content after the finish")]


def titan_stream(tmp_path, *chunks: dict) -> str:
    ask = {"inputText": "Say something rude.", "textGenerationConfig": {"maxTokenCount": 50}}
    call = generate_apis.post(f"{generate_apis.BEDROCK}/amazon.titan-text-express-v1/invoke-with-response-stream", ask,
                              headers("application/vnd.amazon.eventstream"), generate_apis.invoke_stream(*chunks))
    return cassette(tmp_path / f"titan{len(chunks)}.yaml", [call])


def test_a_titan_stream_stopped_by_a_guardrail_is_finished_by_a_content_filter(tmp_path):
    first = {"outputText": "I", "index": 0, "totalOutputTextTokenCount": 1, "completionReason": None, "inputTextTokenCount": 5}
    blocked = {"outputText": "Sorry, I cannot answer that.", "index": 0, "totalOutputTextTokenCount": 7,
               "completionReason": None, "amazon-bedrock-guardrailAction": "INTERVENED", **generate_apis.metrics(5, 7)}
    path = titan_stream(tmp_path, first, blocked)
    assert findings(path) == []
    (row,) = [orjson.loads(line) for line in run("ls", "--json", "--finish", "content_filter", path).stdout_bytes.splitlines()]
    assert row["finish_reason"] == "INTERVENED"
    cut = titan_stream(tmp_path, first)  # the same stream cut short, no guardrail: still truncated
    assert [f["code"] for f in findings(cut)] == ["truncated-stream"]


# --- cookies, public keys, real credentials -----------------------------------------------------


def test_cloudflare_cookies_carry_no_identity(tmp_path):
    cloudflare = "__cf_bm=Zx81kQ2p.d7Hq-1760000000-1.0.1.1-a8Bn3QxL; _cfuvid=Yq7PmV2sLx9dJ0a-1760000000123-0.0.1.1-604800000"
    calls = [chat("https://api.openai.com/v1/chat/completions", answer({}), {"Cookie": cloudflare}),
             chat("https://api.openai.com/v1/chat/completions", answer({}), {"Cookie": cloudflare + "; session=Hq81Lm2pXz7Qw9e"},
                  {**headers("application/json"), "Set-Cookie": ["__cf_bm=Aq9x7Lm2; path=/; HttpOnly", "_cfuvid=Bz81; path=/"]})]
    found = findings(cassette(tmp_path / "c.yaml", calls), codes=["cookie"])
    assert [(f["interaction"], f["message"]) for f in found] == [
        (1, "request.headers.cookie: cookie session recorded with the value (a session may be replayable)")]


def _r(alphabet: str, n: int, seed: int) -> str:
    import random

    rng = random.Random(seed)
    return "".join(rng.choice(alphabet) for _ in range(n))


ALNUM = string.ascii_letters + string.digits


def test_published_keys_are_no_secret_and_live_ones_are(tmp_path):
    posthog_public = "phc_" + _r(ALNUM, 43, 1)
    posthog_personal = "phx_" + _r(ALNUM, 43, 2)
    refresh = "1//0" + _r(ALNUM + "_-", 99, 3)
    gcloud = "".join(["Zmss", "LNjJy2998", "hD4CTg2ejr2"])  # gcloud's published client secret, in parts
    gh = "".join(["34ddeff2b558a23d", "38fba8a6de74f086ede1cc0b"])  # the GitHub CLI's
    form = f"client_id=32555940559.apps.googleusercontent.com&client_secret={gcloud}&grant_type=refresh_token&refresh_token={refresh}"
    token = vcrpy("POST", "https://oauth2.googleapis.com/token", form, 200, headers("application/json"),
                  dumps({"access_token": "ya29.a", "expires_in": 3599}))
    token["request"]["headers"]["Content-Type"] = ["application/x-www-form-urlencoded"]
    capture = generate_apis.post("https://us.i.posthog.com/batch/", {"api_key": posthog_public, "batch": []},
                                 headers("application/json"), {"status": 1})
    personal = chat("https://us.posthog.com/api/projects/", {"results": []}, {"Authorization": f"Bearer {posthog_personal}"})
    gh_form = f"client_id=178c6fc778ccc68e1d6a&client_secret={gh}&device_code=3584d83530557fdd1f46af8289938c8ef79f9dc5"
    gh_flow = vcrpy("POST", "https://github.com/login/oauth/access_token", gh_form, 200, headers("application/json"),
                    dumps({"error": "slow_down"}))
    gh_flow["request"]["headers"]["Content-Type"] = ["application/x-www-form-urlencoded"]
    path = cassette(tmp_path / "keys.yaml", [token, capture, personal, gh_flow])
    found = [(f["interaction"], f["message"].rsplit(": ", 1)[0]) for f in findings(path, codes=["secret"])]
    assert found == [(0, "request.body$: google-oauth-refresh-token recorded"),
                     (2, "request.headers.authorization: bearer-token recorded")]


def test_a_sigv4_access_key_id_is_found(tmp_path):
    key = "AKIA" + _r(string.ascii_uppercase + "234567", 16, 4)
    sigv4 = (f"AWS4-HMAC-SHA256 Credential={key}/20250626/us-east-1/bedrock/aws4_request, SignedHeaders=host;x-amz-date, "
             f"Signature={_r('0123456789abcdef', 64, 5)}")
    path = cassette(tmp_path / "aws.yaml", [chat(f"{generate_apis.BEDROCK}/m-fx/invoke", answer({}), {"Authorization": sigv4})])
    (found,) = findings(path, codes=["secret"])
    assert found["message"].startswith("request.headers.authorization: aws-access-key-id recorded: AKIA…")


# --- orphans ---------------------------------------------------------------------------------------


def test_no_orphan_judgement_without_test_sources(tmp_path):
    project = tmp_path / "p"
    shutil.copytree(FIXTURES / "orphans" / "llama-project", project)
    judged = findings(project, codes=["orphan"])
    assert judged  # the fixture's project has test modules: its orphans are found
    for module in project.rglob("*.py"):
        module.unlink()
    assert findings(project, codes=["orphan"]) == []  # recordings checked out without their tests: no judgement
