"""Amazon Bedrock Agents runtime: InvokeAgent (`/agents/{id}/agentAliases/{alias}/sessions/{session}/text`)
and RetrieveAndGenerate (`/retrieveAndGenerate`).

InvokeAgent answers as an AWS event stream: `chunk` events (the answer's text, base64 in
`bytes`), `trace` events (each model invocation's usage among them), and `returnControl`
when the agent hands a function call back to the client (`invocationInputs`: the action
group's function and its parameters, or an API path). RetrieveAndGenerate answers one body:
`output.text` and the `citations`.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

import orjson

from llmcat.apis._common import ChoiceBuilder, ToolCallBuilder, as_dict, as_int, as_list, as_str, json_text, make_usage, seal
from llmcat.apis.registry import Api, host_of, register
from llmcat.model import Completion, Recording

PATHS = ("/retrieveAndGenerate", "/retrieveAndGenerateStream")


def url_rule(rec: Recording, path: str) -> str | None:
    host = host_of(rec)
    if "/agentAliases/" in path and path.endswith("/text"):
        return "bedrock.agent"
    return "bedrock.agent" if host.startswith("bedrock-agent-runtime.") and path.endswith("/text") else None


def reassemble(rec: Recording) -> Completion:
    out = Completion(api="bedrock.agent")
    choice = ChoiceBuilder(0)
    usage = {"inputTokens": 0, "outputTokens": 0}
    types = rec.response.event_types
    answered = False
    for position, event in enumerate(rec.response.events):
        event = as_dict(event)
        kind = types[position] if position < len(types) else None
        if "bytes" in event or kind == "chunk":
            choice.text.append(_chunk_text(event))
            answered = True
        elif "trace" in event:
            _add_usage(usage, as_dict(event["trace"]))
        elif "returnControl" in event:
            _return_control(choice, as_dict(event["returnControl"]))
            choice.finish_reason = "return_control"
            answered = True
        elif isinstance(as_dict(event.get("output")).get("text"), str):  # RetrieveAndGenerate
            choice.text.append(event["output"]["text"])
            out.details = {"citations": len(as_list(event.get("citations"))), "session": as_str(event.get("sessionId"))}
            answered = True
        elif event.get("error") is not None:
            error = as_dict(event["error"])
            out.error = {"type": as_str(error.get("type")), "status_code": None, "message": as_str(error.get("message"))}
    if answered:
        out.choices = [choice.build()]
    if usage["inputTokens"] or usage["outputTokens"]:
        out.usage = make_usage(usage["inputTokens"], usage["outputTokens"], None, usage)
    out.finished = answered  # the stream has no end event of its own: an answer, or a hand-back, is its end
    return seal(out, rec)


def _chunk_text(event: dict) -> str:
    encoded = event.get("bytes")
    if isinstance(encoded, str):
        try:
            return base64.b64decode(encoded, validate=True).decode("utf-8", "replace")
        except (binascii.Error, ValueError):
            return encoded
    # The event-stream reader decoded a chunk whose text was itself a JSON object.
    body = {k: v for k, v in event.items() if k not in ("attribution", "p")}
    return orjson.dumps(body).decode()


def _add_usage(usage: dict, trace: dict) -> None:
    """The agent's model invocations each report their usage inside the trace that describes them."""
    for step in as_dict(trace.get("trace")).values():
        meta = as_dict(as_dict(as_dict(step).get("modelInvocationOutput")).get("metadata"))
        counts = as_dict(meta.get("usage"))
        usage["inputTokens"] += as_int(counts.get("inputTokens")) or 0
        usage["outputTokens"] += as_int(counts.get("outputTokens")) or 0


def _return_control(choice: ChoiceBuilder, control: dict) -> None:
    for item in as_list(control.get("invocationInputs")):
        item = as_dict(item)
        function = as_dict(item.get("functionInvocationInput"))
        api = as_dict(item.get("apiInvocationInput"))
        if function:
            arguments: Any = {as_str(p.get("name")) or "?": p.get("value") for p in map(as_dict, as_list(function.get("parameters")))}
            tool = ToolCallBuilder(as_str(control.get("invocationId")), as_str(function.get("function")), "function")
        else:
            arguments = {k: api.get(k) for k in ("httpMethod", "apiPath", "parameters", "requestBody") if k in api}
            tool = ToolCallBuilder(as_str(control.get("invocationId")), as_str(api.get("apiPath")), "api")
        tool.parts.append(json_text(arguments))
        choice.tools.append(tool)


register(Api(name="bedrock.agent", summary="Bedrock Agents: InvokeAgent streams and RetrieveAndGenerate",
             reassemble=reassemble, paths=PATHS, url_rule=url_rule, order=71, streams=True))
