"""Issue #18, directory walks: every entry a walk cannot read is reported (as it is when named on
the command line), and a walk stays inside the tree it was given."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest
from test_hostile import _without_root_file_powers

from conftest import LLAMA, ROOT

GOOD = LLAMA / "completions.json"


def _unprivileged():
    """A preexec_fn under which a mode-000 directory is unreadable even for root, or skip."""
    if os.geteuid() != 0:
        return None
    try:
        subprocess.run(["true"], preexec_fn=_without_root_file_powers, check=True)
    except (OSError, subprocess.SubprocessError) as exc:
        pytest.skip(f"running as root and cannot drop CAP_DAC_OVERRIDE: {exc}")
    return _without_root_file_powers


def llmcat(*args, preexec=None, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "llmcat", *map(str, args)], capture_output=True, cwd=ROOT,
                          preexec_fn=preexec, timeout=timeout)


@pytest.fixture
def suite(tmp_path):
    """A suite with one good recording and each kind of entry that cannot be read."""
    root = tmp_path / "suite"
    (root / "locked").mkdir(parents=True)
    shutil.copy(GOOD, root / "ok.json")
    shutil.copy(GOOD, root / "locked" / "hidden.json")
    (root / "gone.json").symlink_to(tmp_path / "does-not-exist.json")
    (root / "loop.json").symlink_to(root / "loop.json")
    os.mkfifo(root / "pipe.json")
    (root / "locked").chmod(0)
    yield root
    (root / "locked").chmod(0o755)


UNREADABLE = {
    "gone.json": "no such file (a broken symbolic link)",
    "locked": "directory cannot be read: permission denied",
    "loop.json": "too many levels of symbolic links",
    "pipe.json": "not a regular file",
}


@pytest.mark.parametrize("command", ["ls", "stats"])
def test_walk_reports_what_it_cannot_read(command, suite):
    """#18.5: an unreadable subdirectory, a broken or looping link and a FIFO were dropped in
    silence (exit 0). Each is now one `llmcat: PATH: reason` line, and the status is 2."""
    proc = llmcat(command, suite, preexec=_unprivileged())
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.decode().splitlines() == [f"llmcat: {suite / name}: {why}" for name, why in sorted(UNREADABLE.items())]
    if command == "ls":
        assert [line.split("\t")[0] for line in proc.stdout.decode().splitlines()[1:]] == [str(suite / "ok.json")]


def test_check_of_a_walk_finds_what_it_cannot_read(suite):
    """#18.5: `check` passed a suite it never read. Each entry is now an `unreadable` error, as when named."""
    proc = llmcat("check", suite, preexec=_unprivileged())
    assert proc.returncode == 1, proc.stderr
    lines = proc.stdout.decode().splitlines()
    for name, why in UNREADABLE.items():
        assert f"{suite / name}: error: unreadable: {why}" in lines
    named = llmcat("check", suite / "pipe.json", suite / "gone.json")
    assert named.returncode == 1 and named.stdout.decode().splitlines() == [
        f"{suite / 'pipe.json'}: error: unreadable: not a regular file", f"{suite / 'gone.json'}: error: unreadable: no such file"]


def test_a_file_in_an_unreadable_directory_is_permission_denied(suite):
    """#18.12: `check` called a file inside an unreadable directory "no such file or directory"."""
    hidden = suite / "locked" / "hidden.json"
    proc = llmcat("check", hidden, preexec=_unprivileged())
    assert proc.stdout.decode() == f"{hidden}: error: unreadable: permission denied\n", proc.stderr


def test_directory_diff_reports_what_it_cannot_read(suite, tmp_path):
    """#18.5: the same entries in a directory diff are errors (status 2), the other pairs still compared."""
    other = tmp_path / "other"
    other.mkdir()
    shutil.copy(GOOD, other / "ok.json")
    shutil.copy(GOOD, other / "pipe.json")
    proc = llmcat("diff", suite, other, preexec=_unprivileged())
    assert proc.returncode == 2
    assert f"llmcat: {suite / 'pipe.json'}: not a regular file" in proc.stderr.decode().splitlines()
    assert proc.stdout.decode().splitlines()[-1] == "1 same, 0 changed, 0 only-a, 0 only-b, 4 error"  # ok.json compared


def test_walk_does_not_follow_links_out_of_the_tree(tmp_path):
    """#18.6: a suite holding a link to /proc made `ls` read the whole filesystem (over 120 s).
    A link to a directory outside the tree is reported and not followed; one inside is read once."""
    root = tmp_path / "suite"
    (root / "sub").mkdir(parents=True)
    shutil.copy(GOOD, root / "sub" / "x.json")
    (root / "proc").symlink_to("/proc")
    (root / "everything").symlink_to("/")
    (root / "again").symlink_to(root / "sub")  # inside: followed, its files listed once
    (root / "sub" / "up").symlink_to(root)  # a loop back to the top
    proc = llmcat("ls", root, timeout=30)
    assert proc.returncode == 2
    assert proc.stderr.decode().splitlines() == [
        f"llmcat: {root / 'everything'}: a link to a directory outside the tree; not followed",
        f"llmcat: {root / 'proc'}: a link to a directory outside the tree; not followed"]
    assert len(proc.stdout.decode().splitlines()) == 2  # the header and x.json, once
