"""The container formats llmcat reads, each declared by its own module in `llmcat/formats/`.

A module calls `register(Format(...))`: its name, its `read` (the calls in a file, or None
when the file is not of this format), the order it is asked in, the file name endings a
directory walk expects of it, and whether it holds several calls and records HTTP
exchanges. Nothing else in llmcat names format modules: they are found by listing this
package (modules whose name starts with `_` are helpers) and imported on the first read.

Every format looks at the same `Content`: the file's bytes, with its JSON, text and YAML
readings made on first ask and kept, so that ten formats asking cost one parse.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from typing import Any

import orjson
from msgspec import Struct

from llmcat.model import HTTP_EXCHANGE_FORMATS, MULTI_CALL_FORMATS, InputError, Need, NotARecording, Recording
from llmcat.parsing.memory import json_loads


class Content:
    """One file as the formats see it: `data` (gzip undone, byte-order mark dropped) and its readings."""

    NOT_JSON: Any = type("NotJson", (), {"__repr__": lambda self: "NOT_JSON", "__bool__": lambda self: False})()

    def __init__(self, data: bytes, source: str, need: Need = Need.EVERYTHING, name: str | None = None,
                 path: str | None = None, companions: Callable[[str, str], bytes] | None = None) -> None:
        self.data = data
        self.source = source  # how calls are labelled: the path as given, or "-"
        self.name = (name or source).lower()  # the file name, for the formats that also go by it
        self.path = path  # where the file is on disk (None: standard input, a git blob): see `companion`
        self.need = need
        self._companions = companions
        self._json: Any = _UNREAD
        self._json_error: str | None = None
        self._text: str | None = None
        self._yaml: Any = _UNREAD
        self._yaml_is_json = False

    @property
    def json(self) -> Any:
        """The parsed JSON value, or `Content.NOT_JSON` when the bytes are not JSON."""
        if self._json is _UNREAD:
            self._json = self._parse_json()
        return self._json

    def _parse_json(self) -> Any:
        try:
            return json_loads(self.data)
        except orjson.JSONDecodeError as exc:
            if "surrogate" in str(exc) and "UTF-8" not in str(exc):
                return _loads_with_lone_surrogates(self.data)
            self._json_error = str(exc)
            return Content.NOT_JSON

    @property
    def text(self) -> str:
        """The bytes as UTF-8 text (`InputError` when they are not)."""
        if self._text is None:
            try:
                self._text = self.data.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise InputError(f"not valid UTF-8 (byte {exc.start})") from None
        return self._text

    @property
    def json_like(self) -> bool:
        """Text that starts as JSON does (whether or not it parses)."""
        return self.text.lstrip("\ufeff \t\r\n").startswith(("{", "["))

    def yaml_named(self) -> bool:
        return self.name.endswith(YAML_SUFFIXES)

    @property
    def yaml_read(self) -> bool:
        return self._yaml is not _UNREAD

    @property
    def yaml(self) -> Any:
        """The parsed YAML (safe: tags are read as data, never constructed; alias bombs refused)."""
        if self._yaml is _UNREAD:
            from llmcat.formats._yaml import read_yaml

            self._yaml, self._yaml_is_json = read_yaml(self.data)
        return self._yaml

    @property
    def yaml_is_json(self) -> bool:
        """Does the parsed YAML hold only what JSON can (no dates, bytes, sets, NaN, keys but strings)?
        When it does, a format need not walk it to make it JSON-safe."""
        return self.yaml is not None and self._yaml_is_json

    def companion(self, directory: str, name: str) -> bytes:
        """The bytes of a file this one names and is read with (a WireMock stub's body in `__files/`):
        `name` inside `directory` (a path the format made from `self.path`). The loader checks that
        it stays inside `directory` (no `..`, no link out), is a regular file and not over its size
        limit; any trouble is an `InputError` naming the file."""
        if self._companions is None:
            raise InputError(f"its body file {name!r} cannot be read: the recording was not read from a folder")
        return self._companions(directory, name)

    def unrecognised(self) -> InputError:
        """Why no format took this file, as the most telling one-line reason."""
        if self.json is not Content.NOT_JSON:
            return NotARecording("not a recording (JSON, but no request/response)")
        if self.yaml_read and not self.json_like:
            return NotARecording("not a recording (YAML, but no interactions list)")
        return InputError(f"not JSON: {self._json_error}")


_UNREAD = object()
YAML_SUFFIXES = (".yaml", ".yml", ".yaml.gz", ".yml.gz")


def _loads_with_lone_surrogates(data: bytes) -> Any:
    """JSON may escape a lone surrogate (`"\\ud800"`); orjson refuses it, the stdlib keeps it."""
    import json

    try:
        return json.loads(data.decode("utf-8"))
    except (ValueError, RecursionError) as exc:
        raise InputError(f"not JSON: {exc}") from None


class Format(Struct, frozen=True):
    name: str  # `Recording.format`
    read: Callable[[Content], list[Recording] | None]  # the calls, or None: not this format
    summary: str = ""  # one line for the documentation: what writes these files
    order: int = 50  # formats are asked in this order: cheap and specific ones first
    suffixes: tuple[str, ...] = ()  # endings a directory walk expects of it (a failure to read is reported)
    multi_call: bool = False  # several calls in one file: `FILE#N` names one, labels are `path#N`
    http_exchanges: bool = False  # its calls are HTTP exchanges: one no API claims is shown as `http`
    # The files in a folder (given with the names it holds) that this format's recordings read as
    # their companions (`Content.companion`): a directory walk does not list them on their own.
    claims: Callable[[str, frozenset[str]], set[str]] | None = None
    # For files of `{request, response}` objects, as llama-stack's are: keys this format's request (and
    # response) objects hold and llama-stack's never do. llama-stack's reader, asked first, leaves such
    # files to this format (ordered after it).
    request_marks: frozenset[str] = frozenset()
    response_marks: frozenset[str] = frozenset()


_registered: dict[str, Format] = {}
_ordered: list[Format] = []


def register(fmt: Format) -> Format:
    if fmt.name in _registered and _registered[fmt.name] is not fmt:
        raise ValueError(f"format {fmt.name!r} is registered twice")
    _registered[fmt.name] = fmt
    if fmt.multi_call:
        MULTI_CALL_FORMATS.add(fmt.name)
    if fmt.http_exchanges:
        HTTP_EXCHANGE_FORMATS.add(fmt.name)
    _ordered.clear()
    _suffixes.clear()
    return fmt


def registered() -> list[Format]:
    """Every format, in the order they are asked (importing the format modules on first use)."""
    if not _ordered:
        _load_modules()
        _ordered.extend(sorted(_registered.values(), key=lambda f: (f.order, f.name)))
    return _ordered


def exchange_marks() -> tuple[frozenset[str], frozenset[str]]:
    """The request and response keys by which every format declares its `{request, response}` files."""
    if not _marks:
        _marks.append((frozenset().union(*(f.request_marks for f in registered())),
                       frozenset().union(*(f.response_marks for f in registered()))))
    return _marks[0]


_marks: list[tuple[frozenset[str], frozenset[str]]] = []


def _load_modules() -> None:
    import llmcat.formats as package

    for module in pkgutil.iter_modules(package.__path__):
        if not module.name.startswith("_") and module.name != "registry":
            importlib.import_module(f"{package.__name__}.{module.name}")


def recording_suffixes() -> tuple[str, ...]:
    """The file name endings of every format: in a directory walk, files expected to be recordings."""
    if not _suffixes:
        _suffixes.extend(dict.fromkeys(suffix for fmt in registered() for suffix in fmt.suffixes))
    return tuple(_suffixes)


_suffixes: list[str] = []


def claimed_in(directory: str, names: frozenset[str]) -> set[str]:
    """Paths under `directory` that a format reads with another file (a walk lists them no more)."""
    found: set[str] = set()
    for fmt in registered():
        if fmt.claims is not None:
            found |= fmt.claims(directory, names)
    return found


def read_content(content: Content) -> list[Recording]:
    """The calls in a file: the first format that recognises it reads it."""
    for fmt in registered():
        found = fmt.read(content)
        if found is not None:
            return found
    raise content.unrecognised()
