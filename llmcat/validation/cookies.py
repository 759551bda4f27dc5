"""Cookies recorded with their values: a request `cookie`, a response `set-cookie` (HAR's
cookie arrays too). A session may be replayable from them, so `check` warns (`cookie`) rather
than calling them secrets. Cookies that carry no identity are left out: Cloudflare's bot
management (`__cf_bm`), rate limiting (`_cfuvid`, `__cfruid`) and load balancing (`__cflb`)
cookies, which it sets on every visitor of a site behind it (most LLM APIs) and which
authenticate nobody. The cookies are named; their values are not kept.

Pure functions on a `Recording`, no I/O.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from msgspec import Struct

from llmcat.model import Recording
from llmcat.validation import keyshapes
from llmcat.validation.secrets import recorded_headers

# Cookies that carry no identity (Cloudflare's own list of the cookies it sets).
NO_IDENTITY = frozenset({"__cf_bm", "_cfuvid", "__cfruid", "__cflb"})


class CookieJar(Struct, frozen=True):
    place: str  # `request.headers.cookie`, `response.headers.set-cookie`, `request.cookies` (HAR)
    names: list[str]  # the cookies recorded with a value (the values are not kept)


def cookies(rec: Recording) -> list[CookieJar]:
    """Cookies recorded with their values: a request `cookie`, a response `set-cookie`."""
    jars: dict[str, dict[str, None]] = {}  # place -> names, in order, once each
    for side, name, value in recorded_headers(rec.stored):
        if name in ("cookie", "set-cookie"):
            for cookie in _cookie_names(value, name == "set-cookie"):
                jars.setdefault(f"{side}.headers.{name}", {})[cookie] = None
    sides = {place.split(".")[0] for place in jars}
    for side, names in _har_cookie_arrays(rec.stored):
        if names and side not in sides:  # HAR repeats its cookie headers as arrays: one finding
            jars.setdefault(f"{side}.cookies", {}).update(dict.fromkeys(names))
    return [CookieJar(place, list(names)) for place, names in jars.items() if names]


def _cookie_names(value: str, set_cookie: bool) -> list[str]:
    pairs = [value.split(";", 1)[0]] if set_cookie else value.split(";")
    names = []
    for pair in pairs:
        name, eq, cookie = pair.strip().partition("=")
        if eq and name and cookie.strip() and name not in NO_IDENTITY and not keyshapes.is_placeholder(cookie) and name not in names:
            names.append(name)
    return names


def _har_cookie_arrays(stored: Any) -> Iterator[tuple[str, list[str]]]:
    if not isinstance(stored, dict):
        return
    for side in ("request", "response"):
        part = stored.get(side)
        jar = part.get("cookies") if isinstance(part, dict) else None
        if isinstance(jar, list):
            yield side, [c["name"] for c in jar if isinstance(c, dict) and isinstance(c.get("name"), str) and c["name"] not in NO_IDENTITY
                         and isinstance(c.get("value"), str) and c["value"] and not keyshapes.is_placeholder(c["value"])]
