"""The man page lints clean and documents every command and option the CLI has."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from conftest import ROOT, subprocess_llmcat

MAN = ROOT / "man" / "llmcat.1"


@pytest.mark.skipif(shutil.which("groff") is None, reason="groff not installed")
def test_man_page_lints_clean():
    proc = subprocess.run(["groff", "-man", "-ww", "-z", str(MAN)], capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stderr == ""


def _commands() -> list[str]:
    help_text = subprocess_llmcat("--help").stdout.decode()
    return re.findall(r"^\s{2}(\w+)\s{2,}", help_text.split("Commands")[1], re.M)


def test_man_page_and_readme_cover_every_command_and_option():
    man = MAN.read_text()
    readme = (ROOT / "README.md").read_text()
    commands = _commands()
    assert "show" in commands and "join" in commands
    for command in commands:
        assert f".SS {command}" in man, command
        assert f"llmcat {command}" in readme, command
        help_text = subprocess_llmcat(command, "--help").stdout.decode()
        for option in set(re.findall(r"(--[a-z][a-z-]+)", help_text)) - {"--help"}:
            assert option.replace("-", r"\-") in man, (command, option)
