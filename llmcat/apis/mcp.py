"""MCP (Model Context Protocol) over HTTP: a JSON-RPC 2.0 request, answered by one JSON body or
by SSE `message` events (notifications first, then the response with the request's `id`).

`tools/call` is shown as the tool called (name and arguments) and its result's text
(`isError: true` makes that text the call's error); `tools/list` as the tools' names;
`initialize` as the server; any other method by its name. A JSON-RPC `error` is the error.
"""

from __future__ import annotations

from typing import Any

from llmcat.apis._common import ChoiceBuilder, ToolCallBuilder, as_dict, as_list, as_str, json_text, seal
from llmcat.apis.registry import Api, register
from llmcat.model import Completion, Recording


def url_rule(rec: Recording, path: str) -> str | None:
    body = as_dict(rec.request.body)
    return "mcp" if body.get("jsonrpc") == "2.0" and isinstance(body.get("method"), str) else None


def looks_like(event: Any) -> bool:
    event = as_dict(event)
    return event.get("jsonrpc") == "2.0" and ("result" in event or "error" in event)


def reassemble(rec: Recording) -> Completion:
    out = Completion(api="mcp")
    request = as_dict(rec.request.body)
    method = as_str(request.get("method"))
    reply = _reply(rec.response.events, request.get("id"))
    error = as_dict(reply.get("error"))
    if error:
        out.error = {"type": _code(error.get("code")), "status_code": None, "message": as_str(error.get("message"))}
    result = as_dict(reply.get("result"))
    if method == "tools/call":
        _tool_call(out, as_dict(request.get("params")), result)
    elif method == "tools/list":
        out.details = {"method": method, "tools": [as_str(as_dict(t).get("name")) for t in as_list(result.get("tools"))]}
    elif method == "initialize":
        server = as_dict(result.get("serverInfo"))
        out.details = {"method": method, "server": as_str(server.get("name")), "version": as_str(server.get("version")),
                       "protocol": as_str(result.get("protocolVersion"))}
    else:
        out.details = {"method": method, "result": sorted(result) if result else None}
    return seal(out, rec)


def _reply(events: list, ident: Any) -> dict:
    """The response to the request: the message with its id (SSE may send notifications first)."""
    replies = [as_dict(e) for e in events if looks_like(e)]
    for reply in replies:
        if reply.get("id") == ident:
            return reply
    return replies[-1] if replies else {}


def _tool_call(out: Completion, params: dict, result: dict) -> None:
    choice = ChoiceBuilder(0)
    tool = ToolCallBuilder(None, as_str(params.get("name")), "mcp")
    tool.parts.append(json_text(params.get("arguments", {})))
    choice.tools.append(tool)
    texts = [as_dict(part).get("text") for part in as_list(result.get("content"))]
    text = "\n".join(t for t in texts if isinstance(t, str))
    if result.get("isError") is True:
        out.error = {"type": "tool_error", "status_code": None, "message": text or None}
    else:
        choice.text.append(text)
    if result.get("structuredContent") is not None:
        out.details = {"structured_content": result["structuredContent"]}
    out.choices = [choice.build()]


def _code(value: Any) -> str | None:
    return str(value) if isinstance(value, (int, str)) and not isinstance(value, bool) else None


register(Api(name="mcp", summary="MCP over HTTP (JSON-RPC: tools/list, tools/call...)",
             reassemble=reassemble, url_rule=url_rule, body=looks_like, order=5, streams=True))
