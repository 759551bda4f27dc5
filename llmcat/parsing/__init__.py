"""The parsers every reader shares, below formats and APIs: `memory` (a parse under `ulimit -v` fails cleanly,
never crashes) and `sse` (server-sent events, as the WHATWG spec says)."""
