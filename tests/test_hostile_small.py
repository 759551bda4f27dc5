"""Issue #18.12, the smaller findings: each one input that spoiled more than itself, or said too much."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

from conftest import FIXTURES, ROOT


def llmcat(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "llmcat", *map(str, args)], capture_output=True, cwd=ROOT, timeout=60)


def test_one_bad_base64_har_entry_spoils_only_itself(tmp_path):
    """A HAR entry whose base64 text is not base64 made the whole HAR unreadable."""
    har = json.loads((FIXTURES / "har" / "session.har").read_text())
    content = har["log"]["entries"][1]["response"]["content"]
    content["encoding"], content["text"] = "base64", "not base64 at all!"
    path = tmp_path / "one-bad.har"
    path.write_text(json.dumps(har))
    rows = llmcat("ls", path)
    assert rows.returncode == 0, rows.stderr
    assert [line.split("\t")[0] for line in rows.stdout.decode().splitlines()[1:]] == [f"{path}#{n}" for n in range(3)]
    shown = llmcat("show", "--json", f"{path}#1")
    assert json.loads(shown.stdout)["error"]["message"] == "HAR content.text says base64 but is not"


def test_check_reads_a_1000_deep_file_that_show_reads(tmp_path):
    """`check` called a request 1,000 levels deep unreadable (its duplicate key and name hash
    recursed past Python's stack) while `show` read it; those two checks are skipped for it now."""
    data = json.loads((FIXTURES / "llama-stack" / "chat-tools.json").read_text())
    data["request"]["body"]["deep"] = "@DEEP@"
    path = tmp_path / "deep.json"
    path.write_text(json.dumps(data).replace('"@DEEP@"', "[" * 1000 + "1" + "]" * 1000))
    assert llmcat("show", path).returncode == 0
    proc = llmcat("check", path)
    assert proc.returncode == 0 and proc.stdout == b"" and proc.stderr == b"", (proc.stdout, proc.stderr)


def test_a_regex_python_warns_about_prints_no_warning():
    """`ls --grep '[[:alpha:]]'` printed Python's FutureWarning, with a source path, on stderr."""
    proc = llmcat("ls", "--grep", "[[:alpha:]]", FIXTURES / "llama-stack" / "chat-stream.json")
    assert proc.returncode == 0 and proc.stderr == b""


def test_a_10mb_model_name_is_fitted_at_once(tmp_path):
    """The terminal `ls` table took 25 s (and `stats` 4 s of CPU) to fit a 10 MB model name, a column
    at a time; cells are clipped to the terminal's width first now (within the pty's 60 s here)."""
    from test_hostile_amplify import completion
    from test_terminal import on_terminal

    path = completion(tmp_path / "long.json", "x")
    data = json.loads(path.read_text())
    data["request"]["body"]["model"] = data["request"]["model"] = "m" * 10_000_000
    path.write_text(json.dumps(data))
    for command in ("ls", "stats"):
        status, out = on_terminal([command, str(path)], timeout=60)
        assert status == 0 and b"mmmmmmmmmm\xe2\x80\xa6" in out and len(out) < 20_000, (command, len(out))


_SGR = re.compile(r"\x1b\[[0-9;]*m")


def _table(*args, columns: int, encoding: str | None = None) -> list[str]:
    """The terminal's `ls`/`stats` table (--color always into a pipe), colour codes taken out."""
    env = {**os.environ, "COLUMNS": str(columns), "LLMCAT_PAGER": ""}
    env.pop("NO_COLOR", None)
    if encoding:
        env["PYTHONIOENCODING"] = encoding
    proc = subprocess.run([sys.executable, "-m", "llmcat", *map(str, args)], capture_output=True, cwd=ROOT, env=env, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return _SGR.sub("", proc.stdout.decode("ascii" if encoding == "ascii" else "utf-8")).splitlines()


def _columns_line_up(lines: list[str]) -> None:
    """Every row as wide as the header, and each column starting where its header starts."""
    header = lines[0]
    starts = [m.start() for m in re.finditer(r"(?<=  )\S", header)]
    for line in lines[1:]:
        assert len(line) == len(header), (line, header)
        for start in starts:  # a column's cells (left or right aligned) leave the gap before it blank
            assert line[start - 2:start] == "  " or line[start - 1] == " ", (line, header)


def test_ls_table_in_an_ascii_encoding_measures_what_it_writes(tmp_path):
    """#18.9 left-over: under PYTHONIOENCODING=ascii the table's `…` was written as the six
    characters `\\u2026` (and a non-ASCII file name's `\u00e8` as `\\xe8`) after the widths were counted
    on one: the columns no longer lined up. Cells are measured as written, clipped with `...`."""
    from test_hostile_amplify import completion

    path = completion(tmp_path / "mod\u00e8le.json", "x")
    lines = _table("ls", "--color", "always", FIXTURES / "vcr" / "bedrock.yaml", FIXTURES / "har", path, columns=100, encoding="ascii")
    text = "\n".join(lines)
    assert "\\u2026" not in text, text
    assert "..." in text and "mod\\xe8le" in text, text
    assert all(len(line) <= 100 for line in lines)
    _columns_line_up(lines)
    stats = "\n".join(_table("stats", "--color", "always", FIXTURES / "har", path, columns=80, encoding="ascii"))
    assert "\\u2588" not in stats and "\\u2026" not in stats and "#" in stats, stats


def test_ls_table_at_40_columns_keeps_the_file_names_end(tmp_path):
    """#18.12: at 40 columns paths became `…ording…` (clipped at the left, then cropped at the
    right by the table): counts and finish give way now, and the path keeps its file name and #N."""
    deep = tmp_path / "tests" / "integration" / "recordings" / "responses"
    deep.mkdir(parents=True)
    for name in ("chat-0042.json", "chat-0043.json"):
        (deep / name).write_bytes((FIXTURES / "llama-stack" / "chat-stream.json").read_bytes())
    (deep / "session.har").write_bytes((FIXTURES / "har" / "session.har").read_bytes())
    for columns in (40, 30):
        lines = _table("ls", "--color", "always", deep, columns=columns)
        assert all(len(line) <= columns for line in lines), lines
        paths = [line.split()[0] for line in lines[1:]]
        ends = sorted(p.rsplit("/", 1)[-1] for p in paths)
        assert ends == ["chat-0042.json", "chat-0043.json", "session.har#0", "session.har#1", "session.har#2"], lines
        # the directory they share is said once, in the header (#26): each row is its file name and #N, whole
        assert all("/" not in p and not p.endswith("\u2026") for p in paths), lines
        assert lines[0].split()[0].endswith("/") and lines[0].split()[0].startswith("\u2026"), lines
        _columns_line_up(lines)


def test_ls_with_columns_0_prints_the_table():
    """#18.12: with COLUMNS=0, `ls` on a terminal printed nothing; COLUMNS=0 says nothing about the
    width now: the terminal's (here none: 80 columns) is used."""
    from test_terminal import on_terminal

    status, out = on_terminal(["ls", str(FIXTURES / "har")], env={"COLUMNS": "0"})
    lines = _SGR.sub("", out.decode()).splitlines()
    assert status == 0 and lines[0].split()[0].endswith("fixtures/har/") and len(lines) == 4, lines  # (the shared directory)
    assert all(0 < len(line) <= 80 for line in lines) and all("session.har#" in line for line in lines[1:]), lines


def test_ls_rows_tell_apart_a_file_named_like_a_call_and_escaped_names(tmp_path):
    """#18.12: `ls` showed call 1 of x.json and a file named `x.json#1` alike, and a name with a
    newline (shown `\\n`) like one with a backslash and an n. A literal backslash is doubled, and a
    file name's own `#N` escaped: every row names one thing."""
    recording = (FIXTURES / "llama-stack" / "chat-stream.json").read_bytes()
    (tmp_path / "x.json").write_bytes((FIXTURES / "har" / "session.har").read_bytes())
    for name in ("x.json#1", "a\nb.json", "a\\nb.json"):
        (tmp_path / name).write_bytes(recording)
    proc = llmcat("ls", tmp_path)
    assert proc.returncode == 0, proc.stderr
    paths = [line.split("\t")[0].removeprefix(f"{tmp_path}/") for line in proc.stdout.decode().splitlines()[1:]]
    assert sorted(paths) == sorted(["x.json#0", "x.json#1", "x.json#2", "x.json\\#1", "a\\nb.json", "a\\\\nb.json"]), paths
    assert len(set(paths)) == len(paths)
    table = _table("ls", "--color", "always", tmp_path, columns=120)
    assert sorted(line.split()[0].rsplit("/", 1)[-1] for line in table[1:]) == sorted(paths)


def test_a_path_copied_from_ls_names_the_call_it_was_listed_for(tmp_path):
    """The escapes above would make a listed path useless as an argument; ls's escaped form is read
    back (when no file has that very name): `x.json\\#1` is the file so named, `h\\\\#2.har#1` call 1
    of the file `h\\#2.har`, `a\\\\nb.json` the file with a backslash and an n."""
    recording = (FIXTURES / "llama-stack" / "chat-stream.json").read_bytes()
    (tmp_path / "x.json#1").write_bytes(recording)
    (tmp_path / "a\\nb.json").write_bytes(recording)
    (tmp_path / "h\\#2.har").write_bytes((FIXTURES / "har" / "session.har").read_bytes())
    listed = [line.split("\t")[0] for line in llmcat("ls", tmp_path).stdout.decode().splitlines()[1:]]
    assert sorted(p.removeprefix(f"{tmp_path}/") for p in listed) == ["a\\\\nb.json", "h\\\\#2.har#0", "h\\\\#2.har#1",
                                                                     "h\\\\#2.har#2", "x.json\\#1"], listed
    for path in listed:
        again = llmcat("ls", path)
        assert again.returncode == 0 and [line.split("\t")[0] for line in again.stdout.decode().splitlines()[1:]] == [path], (path, again)
    (call,) = [json.loads(line) for line in llmcat("show", "--json", f"{tmp_path}/h\\\\#2.har#1").stdout.splitlines()]
    assert (call["source"], call["interaction"], call["api"]) == (f"{tmp_path}/h\\#2.har", 1, "anthropic.messages")
