"""The quick YAML load (issue #29) reads every document as PyYAML's own machinery does.

A document with no anchor is composed by libyaml and built in one pass (`_yaml._load_tree`);
one that may hold an anchor is loaded and its alias expansion counted, as before. These tests
hold the quick way to the reference: PyYAML's stock resolver and constructor under the same
tag rules (`Reference`), on generated documents and on hand-picked corners.
"""

from __future__ import annotations

import datetime
import math

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from llmcat.formats import _yaml
from llmcat.formats.vcr import jsonable
from llmcat.model import InputError


class Reference(_yaml.DataLoader):
    """The DataLoader's tag rules with PyYAML's own resolver and per-node bookkeeping."""

    resolve = yaml.resolver.BaseResolver.resolve

    def __init__(self, stream: bytes) -> None:
        _yaml._BASE.__init__(self, stream)


def reference(data: bytes):
    try:
        return yaml.load(data, Loader=Reference)
    except yaml.YAMLError as exc:
        return ("error", " ".join(str(exc).split()))
    except ValueError as exc:
        return ("error", " ".join(str(exc).split()))
    except InputError as exc:  # the DataLoader's own refusals (integers too long to print)
        return ("error", str(exc))


def quick(data: bytes):
    try:
        return _yaml.load_yaml(data)
    except InputError as exc:
        return ("error", str(exc).removeprefix("not valid YAML: "))  # (the reference's text, as load_yaml words it)


def same(a, b) -> bool:
    """Equal, type for type (1 is not True, '1' is not 1), NaN equal to NaN."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return a == b


# Plain scalars YAML 1.1 reads as something other than a string, and near misses it reads as strings.
AMBIGUOUS = ["yes", "No", "on", "OFF", "y", "n", "~", "null", "Null", "true", "False", "0777", "09", "0x1F", "0b101",
             "1_000", "1:30", "190:20:30", "1e5", "1.0e+5", "1.5", ".inf", "-.Inf", ".NaN", "2001-12-14", "2001-12-14t21:59:43.10-05:00",
             "2001-12-14 21:59:43.10", "=", "<<", "+1", "-0", "0", "1.", "._", "0o17", "12e3", "-", "", "'", "a: b"]

scalars = st.one_of(st.text(max_size=20), st.integers(), st.floats(allow_nan=True), st.booleans(), st.none(),
                    st.binary(max_size=20), st.dates(), st.sampled_from(AMBIGUOUS))
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=5),
    st.dictionaries(st.one_of(st.text(max_size=8), st.sampled_from(AMBIGUOUS), st.integers()), inner, max_size=5)), max_leaves=30)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values, st.sampled_from([None, True, False]), st.sampled_from([None, '"', "'", "|"]))
def test_a_dumped_document_reads_as_the_reference_reads_it(value, flow, style):
    data = yaml.dump({"interactions": [value]}, default_flow_style=flow, default_style=style, allow_unicode=True).encode()
    assert not _yaml.may_hold_anchor(data) or "&" in data.decode()
    expected, got = reference(data), quick(data)
    assert same(got, expected), (data, got, expected)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(AMBIGUOUS + ["plain text", "key"]), st.sampled_from(AMBIGUOUS + ["x y", "v"])), max_size=6))
def test_hand_written_plain_scalars_resolve_alike(pairs):
    """What a person or another language's emitter writes unquoted: every 1.1 corner, as key and value."""
    lines = [f"{k}: {v}" for k, v in pairs]
    data = ("\n".join(lines) + "\n").encode()
    assert same(quick(data), reference(data)), data


CORNERS = {
    "merge without an alias": b"a:\n  <<: {x: 1, y: 2}\n  y: 3\n",
    "value key": b"=: 1\nb: 2\n",
    "tagged key (aiohttp's istr)": b"? !!python/object/apply:multidict._multidict.istr\n- Accept\n: - text/plain\n",
    "binary": b"body: !!binary |\n  aGVsbG8=\n",
    "ruby binary": b"body: !binary |-\n  aGVsbG8=\n",
    "set": b"s: !!set {a, b}\n",
    "omap": b"o: !!omap [a: 1, b: 2]\n",
    "timestamp key": b"2001-12-14: day\n",
    "int key": b"1: one\n2: two\n",
    "null key": b"~: nothing\n",
    "unhashable key": b"? [a, b]\n: 1\n",
    "unhashable flow key": b"{[a]: 1}\n",
    "python call": b"x: !!python/object/apply:os.system ['true']\n",
    "python name": b"x: !!python/name:os.system\n",
    "two documents": b"a: 1\n---\nb: 2\n",
    "empty": b"",
    "comment only": b"# nothing\n",
    "explicit null document": b"--- ~\n",
    "undefined alias": b"a: *nowhere\n",
    "long integer": b"n: " + b"9" * 5000 + b"\n",
    "sexagesimal": b"t: 1:20:30\n",
    "nan and inf": b"a: .nan\nb: .inf\n",
    "duplicate keys": b"a: 1\na: 2\n",
    "nested flow": b"{a: [1, {b: [2, 3]}], c: 'd'}\n",
    "str tag on a number": b"a: !!str 12\n",
    "int tag on text": b"a: !!int twelve\n",
    "custom tag on a mapping": b"a: !ruby/struct:VCR::Response {status: 200}\n",
    "bad binary": b"a: !!binary '%%%'\n",
}


@pytest.mark.parametrize("name", sorted(CORNERS))
def test_corners_read_as_the_reference_reads_them(name):
    data = CORNERS[name]
    assert same(quick(data), reference(data)), (quick(data), reference(data))


def test_the_json_flag_says_when_jsonable_has_nothing_to_do():
    plain = b"a: [1, 2.5, 'x', true, null]\nb: {c: d}\n"
    for data, expected in [(plain, True), (b"a: 2001-12-14\n", False), (b"a: !!binary aGk=\n", False), (b"1: x\n", False),
                           (b"a: .nan\n", False), (b"a: .inf\n", True), (b"a: !!set {x}\n", False)]:
        value, is_json = _yaml.read_yaml(data)
        assert is_json is expected, data
        if is_json:
            assert jsonable(value) is value  # nothing to change: the walk vcr no longer makes
    assert _yaml.read_yaml(b"a: &x 1\nb: *x\n") == ({"a": 1, "b": 1}, False)  # the counted way claims nothing


@pytest.mark.parametrize(("data", "anchor"), [
    (b"&a [1]", True), (b"a: &x 1\nb: *x\n", True), (b"[&a 1, *a]", True), (b"{a:&x 1}", True), (b"- &a\n", True),
    (b"k: v\n&a x", True), (b"t: 'x &y'", True), (b'a: "&b"', True), (b"a: \xe2\x80\xa8&a x", True), (b"a:\t&x 1", True),
    (b"url: http://h.test/?a=1&b=2", False), (b"t: R&D", False), (b"t: Q & A", False), (b"t: a&&b", False), (b"", False),
])
def test_the_anchor_screen_never_misses_one(data, anchor):
    assert _yaml.may_hold_anchor(data) is anchor


def test_a_document_with_an_anchor_is_still_counted():
    bomb = b"a: &a [x, x, x, x, x, x, x, x, x, x]\n" + b"".join(
        f"{chr(98 + n)}: &{chr(98 + n)} [{', '.join(['*' + chr(97 + n)] * 10)}]\n".encode() for n in range(8))
    with pytest.raises(InputError, match="alias bomb"):
        _yaml.load_yaml(bomb)


def test_timestamps_and_dates_are_the_constructors_own():
    value = _yaml.load_yaml(b"d: 2001-12-14\nt: 2001-12-14 21:59:43.10 -5\n")
    assert value["d"] == datetime.date(2001, 12, 14)
    assert value["t"].utcoffset() == datetime.timedelta(hours=-5)
