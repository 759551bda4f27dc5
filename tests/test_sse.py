"""The SSE parser's one-pass path for plain events must read every stream as the line-by-line parser does."""

from hypothesis import given, settings
from hypothesis import strategies as st

from llmcat.parsing import sse

# Lines that plain events are made of, and the ones that must send a stream to the line-by-line parser.
LINES = st.sampled_from([
    "data: x", "data:y", "data:  two spaces", "data:", "data: [DONE]", 'data: {"a": 1}', "event: a", "event:b",
    "event: ", "event:", "event:\tq", "event:  a", ": comment", "id: 1", "retry: 5", "data", "x: y", "data: a\r", "", "",
])


@settings(max_examples=800, deadline=None)
@given(st.lists(LINES, min_size=1, max_size=10))
def test_lines_read_alike(lines):
    assert sse.parse_lines(lines) == sse._parse_each(lines)


@settings(max_examples=800, deadline=None)
@given(st.lists(LINES, max_size=10), st.sampled_from(["", "\n", "\n\n", "\r\n"]))
def test_text_reads_alike(lines, end):
    text = "\n".join(lines) + end
    assert sse.parse_text(text) == sse._parse_each(text.replace("\r\n", "\n").split("\n"))


_TRIPLES = st.tuples(
    st.sampled_from(["event: a", "event: message_start", "event:b", "event:  c", "event: ", "data: y", ": c", "", "event: a\nb"]),
    st.sampled_from(["data: x", 'data: {"a": 1}', "data:y", "data:  z", "data: ", "event: q", "", "data: a\r"]),
    st.sampled_from(["", "", "", " ", ": c", "data: z"]),
)


@settings(max_examples=800, deadline=None)
@given(st.lists(_TRIPLES, min_size=1, max_size=6))
def test_event_data_blank_triples_read_alike(triples):
    """llama-stack's shape (event, data, blank) has a path of its own."""
    lines = [line for triple in triples for line in triple]
    assert sse.parse_lines(lines) == sse._parse_each(lines)


def test_a_line_holding_a_newline_is_not_split():
    # One recorded line "data: a\nb" is one data line whose value holds a newline.
    lines = ["data: a\nb", ""]
    assert sse.parse_lines(lines) == [(None, "a\nb")]


def test_plain_stream_takes_the_one_pass_path():
    lines = ["event: message_start", 'data: {"type": "message_start"}', "", 'data: {"x": 1}', ""]
    assert sse._plain_events("\n".join(lines)) == [("message_start", '{"type": "message_start"}'), (None, '{"x": 1}')]
