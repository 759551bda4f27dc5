from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from llmcat.commands.app import app

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
LLAMA = FIXTURES / "llama-stack"
SHARED = ROOT.parent / "shared"
SEED = SHARED / "seeds" / "000_e98b6dfec2cb5e08.txt"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def run(*args: str, input: bytes | None = None):
    """The real CLI in-process; returns the click Result (stdout, stderr kept apart)."""
    return CliRunner().invoke(app, [str(a) for a in args], input=input, catch_exceptions=False)


def run_json(*args: str) -> list[dict]:
    result = run("show", "--json", *args)
    assert result.exit_code == 0, result.stderr
    return [orjson.loads(line) for line in result.stdout_bytes.splitlines()]


def one(path) -> dict:
    (call,) = run_json(str(path))
    return call


def generated_secrets() -> Path:
    """The credential fixtures of fixtures/generate_secrets.py, written once per test run into a
    temporary directory: key-shaped values, fake as they are, are not committed (secret
    scanners and push protection would flag the repository). Returns the base directory:
    the files are under `base / "secrets"`, and the answer key's paths are relative to `base`."""
    if not _SECRETS_BASE:
        import atexit
        import shutil
        import tempfile

        base = Path(tempfile.mkdtemp(prefix="llmcat-secrets-"))
        atexit.register(shutil.rmtree, base, True)
        sys.path.insert(0, str(FIXTURES))
        import generate_secrets

        generate_secrets.write_secrets(base)
        _SECRETS_BASE.append(base)
    return _SECRETS_BASE[0]


_SECRETS_BASE: list[Path] = []


def subprocess_llmcat(*args: str, input: bytes | None = None, env: dict | None = None, timeout: float = 60, cwd=None):
    """The installed entry point in a child process: exit status, stdout and stderr exactly."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "llmcat", *map(str, args)], input=input, capture_output=True,
                          env=full_env, timeout=timeout, cwd=cwd or ROOT)
