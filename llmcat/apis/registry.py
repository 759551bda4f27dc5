"""The API families llmcat knows, each declared by its own module in `llmcat/apis/`.

A module calls `register(Api(...))` once per API it reassembles: its name, how a recorded
call is recognised as that API (URL path endings, llama-stack chunk types, a rule for what
paths alone cannot tell, the shape of a response body), and its reassembler. Nothing else
in llmcat names API modules: they are found by listing this package (modules whose name
starts with `_` are helpers, not APIs) and imported once, on the first detection.

How a call's API is decided, first answer wins:
1. the container named it (`Recording.api`: a WebSocket session, a tool-runtime call);
2. a chunk type the recorder stored (llama-stack's pydantic `__type__`);
3. the URL path's ending, the longest ending declared by any API winning;
4. the APIs' URL rules, in `order` (a host's own paths, generic endings like `/invoke`);
5. the shape of a response body or stream event, APIs asked in `order`;
6. otherwise `http` for containers that record HTTP exchanges, `other` elsewhere.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from msgspec import Struct

from llmcat.model import HTTP_EXCHANGE_FORMATS, Block, Completion, Recording, Transcript


class Api(Struct, frozen=True):
    name: str  # `Completion.api`; `ls --api` also takes its family (the part before the first dot)
    reassemble: Callable[[Recording], Completion]
    summary: str = ""  # one line for the documentation
    paths: tuple[str, ...] = ()  # URL path endings that mean this API
    event_types: tuple[str, ...] = ()  # chunk type names a recorder stored (llama-stack's `__type__`)
    event_type_prefix: str | None = None  # ... or their common beginning
    url_rule: Callable[[Recording, str], str | None] | None = None  # (call, URL path) -> an API name
    body: Callable[[dict], bool] | None = None  # does one response body or stream event have this shape?
    order: int = 50  # URL rules and body shapes are tried in this order
    refine: Callable[[Recording, str], str] | None = None  # second opinion after a path or type match
    streams: bool = False  # answers may be streamed (the fixture checklist wants both kinds)
    # Chat APIs: the request body's conversation, normalised (apis/_conversation.py has the helpers) ...
    transcript: Callable[[dict], Transcript] | None = None
    # ... and each choice's answer as blocks in the order produced, where reassembly loses it (None: from the choice)
    answer: Callable[[Recording, Completion], list[list[Block]] | None] | None = None


_registered: dict[str, Api] = {}


def register(api: Api) -> Api:
    if api.name in _registered and _registered[api.name] is not api:
        raise ValueError(f"API {api.name!r} is registered twice")
    _registered[api.name] = api
    _tables.clear()
    return api


FALLBACK_NAMES = ("tool", "other")  # APIs no module reassembles: named by the container, or nothing matched


def filter_names() -> list[str]:
    """What `--api` accepts: every API's name and every family (the part before the first dot)."""
    names = set(registered()) | set(FALLBACK_NAMES)
    return sorted(names | {name.split(".")[0] for name in names})


def registered() -> dict[str, Api]:
    """Every API, by name (importing the API modules on first use)."""
    _load_modules()
    return _registered


def _load_modules() -> None:
    if _loaded:
        return
    import llmcat.apis as package

    for module in pkgutil.iter_modules(package.__path__):
        if not module.name.startswith("_") and module.name != "registry":
            importlib.import_module(f"{package.__name__}.{module.name}")
    _loaded.append(True)


_loaded: list[bool] = []


class _Tables(Struct):
    """The declarations arranged for detection (built once, after the modules registered)."""

    by_event_type: dict[str, Api]
    prefixes: list[tuple[str, Api]]
    endings: list[tuple[str, Api]]  # longest first
    rules: list[Callable[[Recording, str], str | None]]  # the APIs' URL rules, in order
    shapes: list[tuple[str, Callable[[dict], bool]]]  # (API name, its body test), in order


_tables: dict[str, _Tables] = {}


def _arranged() -> _Tables:
    tables = _tables.get("")
    if tables is None:
        apis = sorted(registered().values(), key=lambda a: (a.order, a.name))
        tables = _tables[""] = _Tables(
            by_event_type={kind: api for api in apis for kind in api.event_types},
            prefixes=[(api.event_type_prefix, api) for api in apis if api.event_type_prefix],
            endings=sorted(((end, api) for api in apis for end in api.paths), key=lambda pair: -len(pair[0])),
            rules=[api.url_rule for api in apis if api.url_rule],
            shapes=[(api.name, api.body) for api in apis if api.body],
        )
    return tables


def detect(rec: Recording) -> str:
    """The API a recorded call spoke (see the module's docstring for the order of evidence)."""
    if rec.api:
        return rec.api
    tables = _arranged()
    for kind in dict.fromkeys(rec.response.event_types):  # (each name once: a stream repeats a few names)
        if kind is None:
            continue
        api = tables.by_event_type.get(kind)
        if api is None:
            api = next((api for prefix, api in tables.prefixes if kind.startswith(prefix)), None)
        if api is not None:
            return api.refine(rec, api.name) if api.refine else api.name
    path = url_path(rec)
    for ending, api in tables.endings:
        if path.endswith(ending):
            return api.refine(rec, api.name) if api.refine else api.name
    for url_rule in tables.rules:
        found = url_rule(rec, path)
        if found:
            return found
    found = shape_of(rec)
    if found != "other":
        return found
    return "http" if rec.format in HTTP_EXCHANGE_FORMATS else "other"


def url_path(rec: Recording) -> str:
    """The call's URL path (the recorded endpoint where there is one), without query, fragment or final `/`."""
    return (rec.request.endpoint or rec.request.url or "").split("?")[0].split("#")[0].rstrip("/")


def host_of(rec: Recording) -> str:
    """The call's host name, lower-case ("" when there is no URL)."""
    try:
        return (urlsplit(rec.request.url or "").hostname or "").lower()
    except ValueError:
        return ""


def shape_of(rec: Recording) -> str:
    """The API of the first response body or event whose shape some API claims, else "other"."""
    for event in rec.response.events:
        found = body_api(event)
        if found != "other":
            return found
    return "other"


def body_api(event: Any) -> str:
    """The API of one response body or stream event by its shape alone, or "other"."""
    if not isinstance(event, dict) or not event:
        return "other"
    for name, has_shape in _arranged().shapes:
        if has_shape(event):
            return name
    return "other"


def reassemble(rec: Recording, api: str | None = None) -> Completion:
    """What the model said in a recorded call, by its API's reassembler."""
    name = api or detect(rec)
    found = registered().get(name)
    if found is None:
        return _opaque(rec, name)
    completion = found.reassemble(rec)
    if api is None and rec.api is None and _reads_nothing(completion):
        return _by_shape(rec, name) or completion
    return completion


def _reads_nothing(completion: Completion) -> bool:
    return completion.error is None and completion.details is None and not any(
        c.text or c.reasoning or c.refusal or c.tool_calls for c in completion.choices)


def _by_shape(rec: Recording, named: str) -> Completion | None:
    """A body of another API's shape behind a URL that names one (a proxy, a gateway, a recorder that
    rewrote the URL): when the URL's API reads nothing, the body's API is asked, and said so."""
    shaped = shape_of(rec)
    declared = registered().get(shaped)
    if shaped in ("other", named) or declared is None:
        return None
    completion = declared.reassemble(rec)
    if _reads_nothing(completion):
        return None
    completion.notes.append(f"read as {shaped}: the body has its shape, though the URL names {named}")
    return completion


def _opaque(rec: Recording, api: str) -> Completion:
    """A call llmcat has no reassembler for: keep its body to show as recorded."""
    from llmcat.apis._common import seal

    events = rec.response.events
    out = Completion(api=api)
    out.details = {"body": events[0] if len(events) == 1 else events}
    return seal(out, rec)
