"""Leaked credentials, cookies and encoded bodies: found where planted, masked, no false alarms.

The fixtures (fixtures/generate_secrets.py) plant fake keys of each published shape in each
place of each container; `planted.json` is the answer key. Placeholders and random-looking
values that are not credentials must give nothing, here and on the shared corpus.
"""

from __future__ import annotations

import random
import string
from collections import defaultdict

import msgspec
import orjson
import pytest

from conftest import FIXTURES, SHARED, generated_secrets
from llmcat import formats
from llmcat.model import InputError, Recording, Request, Response
from llmcat.reading.walk import expand
from llmcat.render.mask import mask, mask_in
from llmcat.validation import keyshapes
from llmcat.validation.cookies import cookies
from llmcat.validation.encoded import encoded_bodies
from llmcat.validation.secrets import leaks, secret_values

SECRETS_BASE = generated_secrets()  # written at test time: no key-shaped values in the repository
SECRETS = SECRETS_BASE / "secrets"
PLANTED = orjson.loads((SECRETS / "planted.txt").read_bytes())
CORPUS = SHARED / "corpus"


def calls(path) -> list[Recording]:
    return formats.load(str(path))[0]


def found_in(path) -> dict[int, set[tuple[str, str]]]:
    out: dict[int, set[tuple[str, str]]] = defaultdict(set)
    for rec in calls(path):
        out[rec.interaction] |= {(leak.place, leak.kind) for leak in leaks(rec)}
    return out


@pytest.mark.parametrize("name", sorted({p["file"] for p in PLANTED}))
def test_every_planted_credential_is_found_at_its_place_and_nothing_else(name):
    expected: dict[int, set[tuple[str, str]]] = defaultdict(set)
    for p in PLANTED:
        if p["file"] == name:
            expected[p["interaction"]].add((p["place"], p["kind"]))
    assert found_in(SECRETS_BASE / name) == expected


def test_fixtures_cover_each_container_and_place():
    files = {p["file"].rsplit(".", 1)[-1] for p in PLANTED}
    assert files == {"yaml", "json", "har"}
    places = {p["place"].split("$")[0].split("?")[0].rsplit(".",
                                                            1)[0] if "headers" in p["place"] else p["place"].split("$")[0].split("?")[0]
              for p in PLANTED}
    assert {"request.headers", "response.headers", "request.url", "request.body", "response.body"} <= places
    kinds = {p["kind"] for p in PLANTED}
    assert {"openai-api-key", "anthropic-api-key", "google-api-key", "aws-access-key-id", "groq-api-key",
            "huggingface-token", "bearer-token", "basic-auth", "credential"} <= kinds


def test_no_planted_value_survives_masking():
    values = {p["value"] for p in PLANTED}
    for path in SECRETS.rglob("*"):
        if path.is_dir() or path.name == "planted.txt":
            continue
        for rec in calls(path):
            for leak in leaks(rec):
                text = msgspec.json.encode(leak).decode()
                assert not any(v in text for v in values), leak
                shown = leak.masked.split(" (")[0]
                assert len(shown.replace("…", "")) <= 6, leak.masked


def test_placeholders_and_lookalikes_are_not_credentials():
    for rec in calls(SECRETS / "placeholders.yaml"):
        assert leaks(rec) == [], rec.interaction
        assert cookies(rec) == [], rec.interaction


def test_sigv4_gives_the_access_key_id_not_the_signature():
    (key,) = [p["value"] for p in PLANTED if p["kind"] == "aws-access-key-id" and p["file"] == "secrets/headers.yaml"]
    signature = "a1b2" * 16
    header = f"AWS4-HMAC-SHA256 Credential={key}/20250626/us-east-1/bedrock/aws4_request, SignedHeaders=host, Signature={signature}"
    assert keyshapes.authorization_secrets(header) == [("aws-access-key-id", key)]
    example = header.replace(key, "AKIA" "IOSFODNN7EXAMPLE")
    assert keyshapes.authorization_secrets(example) == []


def _fresh(kind: str, rng: random.Random) -> str:
    def r(alphabet: str, n: int) -> str:
        return "".join(rng.choice(alphabet) for _ in range(n))

    alnum, urlsafe = string.ascii_letters + string.digits, string.ascii_letters + string.digits + "_-"
    return {
        "openai-api-key": "sk-proj-" + r(urlsafe, 58) + "T3BlbkFJ" + r(urlsafe, 58),
        "anthropic-api-key": "sk-ant-api03-" + r(urlsafe, 93) + "AA",
        "google-api-key": "AIza" + r(urlsafe, 35),
        "aws-access-key-id": rng.choice(["AKIA", "ASIA"]) + r(string.ascii_uppercase + "234567", 16),
        "groq-api-key": "gsk_" + r(alnum, 52),
        "huggingface-token": "hf_" + r(string.ascii_letters, 34),
        "xai-api-key": "xai-" + r(alnum, 80),
    }[kind]


@pytest.mark.parametrize("kind", ["openai-api-key", "anthropic-api-key", "google-api-key", "aws-access-key-id", "groq-api-key",
                                  "huggingface-token", "xai-api-key"])
def test_freshly_made_keys_are_all_found_and_named(kind):
    rng = random.Random(kind)
    for _ in range(300):
        key = _fresh(kind, rng)
        assert keyshapes.find_shapes(f'{{"note": "key={key}"}}') == [(kind, key)], key
        assert keyshapes.authorization_secrets(f"Bearer {key}") == [(kind, key)], key


def test_fresh_keys_are_found_in_a_recorded_call_of_any_shape():
    rng = random.Random(7)
    legacy = "sk-" + "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(20)) + "T3BlbkFJ" + \
        "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(20))
    keys = [("openai-api-key", legacy)] + [(kind, _fresh(kind, rng)) for kind in
                                           ("openai-api-key", "anthropic-api-key", "google-api-key", "aws-access-key-id",
                                            "groq-api-key", "huggingface-token", "xai-api-key")]
    for kind, key in keys:
        answer = {"choices": [{"index": 0, "message": {"role": "assistant", "content": f"The key: {key}."}}]}
        rec = Recording("x.json", 0, "json", Request(), Response(events=[answer]), answer)
        assert [(leak.place, leak.kind) for leak in leaks(rec)] == [("response.body$.choices[0].message.content", kind)], key


def test_unknown_shapes_are_found_by_where_they_are_recorded():
    rng = random.Random(3)
    for _ in range(300):
        mistral = "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(32))
        assert keyshapes.authorization_secrets(f"Bearer {mistral}") == [("bearer-token", mistral)]
        assert keyshapes.authorization_secrets(mistral) == [("credential", mistral)]


@pytest.mark.parametrize("value", ["<REDACTED>", "FILTERED", "XXXXXXXXXXXXXXXX", "test-api-key", "YOUR_API_KEY", "sk-...", "DUMMY",
                                   "aaaaaaaaaaaaaaaaaaaa", "OPENAI_API_KEY", "$GROQ_API_KEY", "AKIA" "IOSFODNN7EXAMPLE", "sk-fake-1234",
                                   "testkey123", "not-a-real-key", "None", "sk-ant-api03-...", "{{ api_key }}"])
def test_placeholders(value):
    assert keyshapes.is_placeholder(value)
    assert keyshapes.authorization_secrets(f"Bearer {value}") == []
    assert keyshapes.find_shapes(value) == []


def test_mask_keeps_at_most_four_and_two_characters():
    assert mask("sk-proj-" "abcdefghijklmnopqrstuvwxyz0123") == "sk-p…23 (38 chars)"
    assert mask("short-key-1") == "sh… (11 chars)"
    assert mask("abc") == "… (3 chars)"
    text = "Authorization: Bearer gsk_SECRETVALUE1234567890 and again gsk_SECRETVALUE1234567890."
    masked = mask_in(text, ["gsk_SECRETVALUE1234567890"])
    assert "SECRETVALUE" not in masked and masked.count("[gsk_…90 (25 chars)]") == 2


def test_secret_values_are_the_whole_values_for_renderers_to_mask():
    (rec,) = calls(SECRETS / "vcrpy.json")
    (key,) = [p["value"] for p in PLANTED if p["file"] == "secrets/vcrpy.json"]
    assert secret_values(rec) == {key}


def test_cookies_are_named_not_shown():
    rec = calls(SECRETS / "headers.yaml")[-1]
    jars = {jar.place: jar.names for jar in cookies(rec)}
    assert jars == {"request.headers.cookie": ["session"]}  # Cloudflare's __cf_bm and _cfuvid carry no identity
    (har,) = calls(SECRETS / "session.har")
    assert [(j.place, j.names) for j in cookies(har)] == [("request.headers.cookie", ["sid"])]


def test_encoded_bodies_are_named():
    found = {(rec.label, e.place, e.how) for path in (SECRETS / "bodies.yaml", SECRETS / "session.har",
                                                      FIXTURES / "vcr" / "gzip-binary.yaml",
                                                       FIXTURES / "vcr" / "brotli.yaml", FIXTURES / "vcr" / "bedrock.yaml",
                                                       FIXTURES / "vcr" / "multi.yaml")
             for rec in calls(path) for e in encoded_bodies(rec)}
    assert found == {
        (f"{SECRETS / 'bodies.yaml'}#1", "response.body", "gzip-compressed, stored as !!binary"),
        (f"{SECRETS / 'session.har'}#0", "response.body", "text stored as base64 (HAR content.encoding)"),
        (f"{FIXTURES / 'vcr' / 'gzip-binary.yaml'}#0", "response.body", "gzip-compressed, stored as !!binary"),
        (f"{FIXTURES / 'vcr' / 'gzip-binary.yaml'}#1", "response.body", "deflate-compressed, stored as !!binary"),
        (f"{FIXTURES / 'vcr' / 'brotli.yaml'}#0", "response.body", "br-compressed, stored as !!binary"),
    }  # the event stream's binary frames and the PNG are binary by nature


def test_hostile_shapes_do_not_break_the_search():
    deep: object = "sk-proj-" + "Ab1" * 20
    for _ in range(3000):  # deeper than orjson dumps: searched the slow way
        deep = [deep]
    weird = {b"x-api-key": [b"Bearer \xff\xfe"], 3: {"headers": [None, 1, {"name": 1}]}, "headers": ["a", "b", "c"],
             "request": {"headers": {"Authorization": None}, "body": b"\x1f\x8b not gzip"}}
    for stored in (deep, weird, None, "text", 12):
        rec = Recording("x", 0, "vcr", Request(url="http://h/?key=%ZZ&&=&"), Response(events=[deep]), stored)
        assert isinstance(leaks(rec), list) and isinstance(cookies(rec), list) and isinstance(encoded_bodies(rec), list)


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared corpus (../shared/corpus) is absent")
def test_no_false_alarm_on_the_shared_corpus():
    readable = 0
    for source in expand([str(CORPUS)]):
        try:
            recs = calls(source.spec)
        except InputError:
            continue
        readable += 1
        for rec in recs:
            assert leaks(rec) == [], rec.label
            for jar in cookies(rec):  # Cloudflare's cookies: a warning of their own, never a secret
                assert set(jar.names) <= {"__cf_bm", "_cfuvid"}, (rec.label, jar)
    assert readable > 100


def test_the_quick_looks_regex_matches_exactly_where_a_looked_for_word_occurs():
    """`suspect`'s one regex is factored by first byte (for speed): it must find a word exactly where
    a plain search for each word does, or a credential could go unmasked."""
    import random

    rng = random.Random(7)
    alphabet = b"abcdefghijklmnopqrstuvwxyz-_ .=:0123456789"
    for _ in range(5000):
        text = bytes(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        if rng.random() < 0.5:  # a word, or the start of one, planted somewhere
            word = rng.choice(keyshapes._LOOKED_FOR)
            at = rng.randint(0, len(text))
            text = text[:at] + word[:rng.randint(1, len(word))] + text[at:]
        expected = any(word in text for word in keyshapes._LOOKED_FOR)
        assert (keyshapes._LOOKED_FOR_RE.search(text) is not None) == expected, text


def test_the_hyperscan_glance_sees_what_the_regex_glance_sees(monkeypatch):
    """`glance` takes Hyperscan where it is installed: the words it reports, and `token`/`://@`, must be
    the regex way's exactly, in any case of letters, or a credential could go unlooked for."""
    import random

    monkeypatch.setattr(keyshapes, "_SCANNERS", [])  # (the scanner of this test only)
    if not keyshapes.use_hyperscan():
        pytest.skip("hyperscan is not installed here: glance is the regex way only")
    rng = random.Random(11)
    alphabet = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJ-_ .=:/@0123456789\\\"\n"
    extra = [b"token", b"Access_Token", b"max_tokens", b"x-auth-token", b"https://u:p@h.test", b"://@"]
    texts = []
    for _ in range(4000):
        text = bytes(rng.choice(alphabet) for _ in range(rng.randint(0, 60)))
        for _ in range(rng.randint(0, 3)):
            word = rng.choice(keyshapes._LOOKED_FOR + tuple(extra))
            word = bytes(c ^ 0x20 if 97 <= c <= 122 and rng.random() < 0.3 else c for c in word)  # some letters upper case
            at = rng.randint(0, len(text))
            text = text[:at] + word[:rng.randint(1, len(word))] + text[at:]
        texts.append(text)
    quick = [keyshapes.glance(text) for text in texts]
    quick_suspect = [keyshapes.suspect(text) for text in texts]  # (through the scanner, once one is built)
    monkeypatch.setattr(keyshapes, "_SCANNERS", [None])
    assert [keyshapes.glance(text) for text in texts] == quick
    assert [keyshapes.suspect(text) for text in texts] == quick_suspect
    assert sum(1 for seen in quick if seen) > 1000  # (most texts hold something to see)
