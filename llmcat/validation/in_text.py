"""Credentials inside one string: URLs (userinfo, query, fragment, `;name=value`), query strings and
form bodies, multipart form fields, header lines and bearer tokens in text, values under a
credential's name, and JSON written inside a string (a tool call's `arguments`, a VCR `body`).

Pure functions on strings, no I/O; `secrets` walks a call and asks these of each string.
Each hit is (place, kind, value); a value is returned as the credential is (a URL's escapes
undone), and `recorded_forms` gives the forms it was written in, for a mask to find them too.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any
from urllib.parse import unquote, unquote_plus, urlsplit

import orjson

from llmcat.validation import keyshapes

Hit = tuple[str, str, str]

# Query, fragment and `;` parameter names a credential is sent under (lower case, `-` as `_`).
# `sig`: an Azure SAS signature (whoever holds the URL holds the access); `code`: an Azure Functions
# key, or an OAuth authorisation code.
QUERY_CREDENTIALS = frozenset({
    "key", "apikey", "api_key", "access_token", "token", "auth_token", "api_token", "x_goog_api_key", "client_secret",
    "password", "secret", "x_amz_security_token", "subscription_key", "refresh_token", "id_token", "sig", "code",
    "x_api_key", "access_key", "secret_key", "session_token", "x_functions_key", "signature_key",
})
_FIELD_CREDENTIALS = frozenset({
    "apikey", "xapikey", "token", "accesstoken", "refreshtoken", "idtoken", "authtoken", "apitoken", "sessiontoken",
    "securitytoken", "bearertoken", "secret", "clientsecret", "secretkey", "secretaccesskey", "awssecretaccesskey",
    "password", "passwd", "privatekey", "authorization", "subscriptionkey", "accesskey",
})
_TEXT_HEADER = re.compile(
    r"^[ \t]*(authorization|proxy-authorization|x-api-key|api-key|x-goog-api-key|x-amz-security-token)[ \t]*:[ \t]*(\S[^\r\n]*)",
    re.IGNORECASE | re.MULTILINE,
)
TEXT_HEADER_NAMES = ("authorization", "api-key", "x-amz-security-token")
_SPACE = re.compile(r"\s")
_FORM = re.compile(r"[\w.\-%]+=[^\s&=]*(?:[&;][\w.\-%]+=[^\s&;]*)*")
BEARER = re.compile(r"\bbearer\s+([A-Za-z0-9._~+/\-]{12,}=*)", re.IGNORECASE)
# A URL that may carry a credential: userinfo (`user:password@`), a query, a fragment, `;name=value`.
# (The scheme starts no run of letters and is short: a 2 MB base64 string is not read as a scheme at every
# position of it, which was quadratic.)
URL_WITH_PARTS = re.compile(r"(?<![a-z0-9+.\-])[a-z][a-z0-9+.\-]{0,30}://[^\s\"'\\<>]*[?#;@][^\s\"'\\<>]*", re.IGNORECASE)
_PAIR_SEPARATOR = re.compile(r"[&;]")
# multipart/form-data: `Content-Disposition: form-data; name="api_key"`, the part's headers, a blank line, the value.
_MULTIPART_FIELD = re.compile(r"form-data;[^\r\n]*?\bname=\"([^\"\r\n]{1,100})\"[^\r\n]*\r?\n(?:[^\r\n]+\r?\n){0,8}?\r?\n([^\r\n]{1,4096})",
                              re.IGNORECASE)
JSON_IN_STRING_MAX = 4 << 20  # a longer JSON text inside a string is searched as text, not parsed


def url_hits(place: str, url: str) -> list[Hit]:
    """Credentials in a URL: key shapes anywhere before its query, a userinfo password (or a key
    as the user name), and credentials in the query, the fragment and `;name=value` parameters."""
    head = re.split(r"[?#]", url, maxsplit=1)[0]
    hits = [(place, kind, v) for kind, v in keyshapes.find_shapes(head)]
    found = {v for _, _, v in hits}
    try:
        parts = urlsplit(url)
        netloc, path, query, fragment = parts.netloc, parts.path, parts.query, parts.fragment
    except ValueError:
        netloc, path, query, fragment = "", head, url.partition("?")[2].partition("#")[0], url.partition("#")[2]
    userinfo = netloc.rpartition("@")[0] if "@" in netloc else ""
    if userinfo:
        user, colon, password = userinfo.partition(":")
        password = unquote(password)
        if colon and password and password not in found and not keyshapes.is_placeholder(password) and len(password) >= 6:
            hits.append((f"{place}@password", "password", password))
        elif not colon and unquote(user) not in found and keyshapes.looks_like_credential(unquote(user)):
            hits.append((f"{place}@user", "credential", unquote(user)))
    for segment in path.split(";")[1:]:  # `/path;api_key=…`
        hits += query_hits(place, segment)
    hits += query_hits(place, query)
    if "=" in fragment:  # `#access_token=…` (OAuth's implicit flow)
        hits += query_hits(place, fragment, "#")
    return hits


def pairs(query: str) -> list[tuple[str, str, str]]:
    """(name, value, value as written) of a query string, `&` or `;` between pairs, escapes undone."""
    out = []
    for item in _PAIR_SEPARATOR.split(query):
        name, equals, raw = item.partition("=")
        if equals and name:
            out.append((unquote_plus(name), unquote_plus(raw), raw))
    return out


def query_hits(place: str, query: str, mark: str = "?") -> list[Hit]:
    """Credentials in a query string (a URL's, a fragment's, or a form body's): `place?name`."""
    hits = []
    for name, value, _ in pairs(query):
        where = f"{place}{mark}{name}"
        shaped = keyshapes.find_shapes(value)
        hits += [(where, kind, v) for kind, v in shaped]
        if not shaped and name.lower().replace("-", "_") in QUERY_CREDENTIALS and keyshapes.looks_like_credential(value):
            hits.append((where, "credential", value))
    return hits


def recorded_forms(text: str, values: set[str]) -> set[str]:
    """The forms in which `values` are written in the URLs and query strings of `text` when they differ
    from the values (a needless `%2D`, a lower-case `%2f`, `+` for a space): a mask must find them too."""
    forms: set[str] = set()
    for match in URL_WITH_PARTS.finditer(text):
        url = match.group()
        netloc = url.split("://", 1)[1].split("/", 1)[0]
        if "@" in netloc:
            user, _, password = netloc.rpartition("@")[0].partition(":")
            forms.update(raw for raw in (user, password) if raw and unquote(raw) in values and raw not in values)
        for _, value, raw in pairs(re.split(r"[?#;]", url, maxsplit=1)[-1]):
            if value in values and raw != value:
                forms.add(raw)
    if "=" in text and "%" in text:  # form bodies
        for _, value, raw in pairs(text):
            if value in values and raw != value:
                forms.add(raw)
    return forms


@lru_cache(maxsize=4096)
def is_credential_field(key: str) -> bool:
    return key.lower().replace("_", "").replace("-", "") in _FIELD_CREDENTIALS


def field_hits(place: str, key: str, value: str) -> list[Hit]:
    """A value recorded under a credential's name (`api_key`, `password`, `authorization`)."""
    if key.lower() == "authorization":
        return [(place, kind, v) for kind, v in keyshapes.authorization_secrets(value)]
    kind = keyshapes.shape_of(value.strip())
    if kind:
        return [] if keyshapes.is_placeholder(value) else [(place, kind, value.strip())]
    shaped = keyshapes.find_shapes(value)
    if shaped:
        return [(place, k, v) for k, v in shaped]
    return [(place, "credential", value.strip())] if keyshapes.looks_like_credential(value) else []


def text_hits(place: str, text: str) -> list[Hit]:
    """Credentials in free text: key shapes, header lines, bearer tokens, a URL, a form or multipart body."""
    hits = [(place, kind, v) for kind, v in keyshapes.find_shapes(text)]
    found = {v for _, _, v in hits}
    low = text.lower()
    if any(name in low for name in TEXT_HEADER_NAMES):
        for match in _TEXT_HEADER.finditer(text):
            hits += [(place, k, v) for k, v in keyshapes.authorization_secrets(match.group(2)) if v not in found]
    if "bearer" in low:
        for match in BEARER.finditer(text):
            token = match.group(1)
            if token not in found and keyshapes.looks_like_credential(token):
                hits.append((place, "bearer-token", token))
    if "=" in text and len(text) < 65536 and _FORM.fullmatch(text.strip()):  # a form body: api_key=…&model=…
        hits += [h for h in query_hits(place, text.strip()) if h[2] not in found]
    elif "://" in text and len(text) < 65536:  # one URL, or URLs in a message
        stripped = text.strip()
        urls = [stripped] if len(stripped) < 8192 and not _SPACE.search(stripped) else \
            [m.group() for m in URL_WITH_PARTS.finditer(text)]
        for url in urls:
            hits += [h for h in url_hits(place, url) if h[2] not in found]
    if "form-data" in low:
        for match in _MULTIPART_FIELD.finditer(text):
            name, value = match.group(1), match.group(2).strip()
            if value not in found and (is_credential_field(name) or name.lower().replace("-", "_") in QUERY_CREDENTIALS):
                hits += field_hits(f"{place}[{name}]", name, value)
    return hits


def embedded_json(text: str) -> Any:
    """The JSON value a string holds (a tool call's arguments, a body kept as text), or None: parsed
    only when it looks like an object or array and could hold a credential."""
    stripped = text.lstrip()
    if not stripped or stripped[0] not in "{[" or len(text) > JSON_IN_STRING_MAX or not keyshapes.suspect(text):
        return None
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError:
        return None
    return value if isinstance(value, (dict, list)) else None
