"""`llmcat redact`: every credential `check` finds replaced by `REDACTED-<kind>`, each file kept
its recorder's own (see `llmcat/validation/redact.py` for how encoded bodies are handled).

Nothing is written unless `--in-place` (a temporary file beside the original, renamed over it,
its permissions kept) or `-o DIR` (the recordings copied into DIR at their relative paths,
redacted). Without either, and with `--dry-run`, it lists what it would replace. Every file is
read back before it is written: the same number of calls, and no credential left; a file that
fails this is not written (trouble). A credential is never printed whole: each line names the
call, the place, the kind and the value masked as `check` masks it.

Exit status: 0 nothing found, 1 credentials replaced (or, dry, to replace), 2 trouble.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from msgspec import Struct

from llmcat.model import InputError, Need
from llmcat.reading.pipeline import Call, Work
from llmcat.reading.walk import Source
from llmcat.status import ExitStatus

if TYPE_CHECKING:
    from llmcat.render.output import Output


class Target(Struct):
    """Where `redact` writes: `in_place`, or a copy under `out_dir`; neither: a dry run."""

    in_place: bool = False
    out_dir: str | None = None

    @property
    def dry(self) -> bool:
        return not self.in_place and self.out_dir is None


class Found(Struct):
    label: str  # the call, `path#N` in a file of several
    place: str
    kind: str
    value: str  # whole: never printed, only replaced


class FileCredentials(Struct):
    found: list[Found]
    calls: int


class CredentialsWork(Work[FileCredentials]):
    need = Need.EVERYTHING  # the container's own objects: credentials in headers and the stored call
    in_blocks = True

    def digest(self, source: Source, calls: list[Call]) -> FileCredentials:
        return FileCredentials(credentials_of(calls), len(calls))


def credentials_of(calls: list[Call]) -> list[Found]:
    """Every credential `check` finds in these calls, as recorded or as reassembled."""
    from llmcat.validation.secrets import credentials

    return [Found(call.recording.label, place, kind, value) for call in calls
            for place, kind, value in credentials(call.recording, call.completion)]


def run_redact(paths: list[str], target: Target, output: Output) -> ExitStatus:
    import llmcat.validation.secrets  # noqa: F401  (compiled before the readers fork)
    from llmcat.formats import anything_at, split_address
    from llmcat.reading.pipeline import read, sources

    problems = output.problems
    present = []
    for spec in paths:
        path = split_address(spec)[0]  # a whole file, even when one call of it is named
        if path == "-" or anything_at(path):
            present.append(path)
        else:
            problems.report(spec, "no such file or directory")
    if target.out_dir is not None and _inside_any(target.out_dir, present):
        problems.report(target.out_dir, "the output directory is inside a tree being redacted")
        return ExitStatus.of(problems.count, found=False)
    files = sources(present)
    progress = output.progress(len(files))
    replaced = False
    try:
        for result in read(files, CredentialsWork(), progress.advance):
            if result.failure is not None:
                if result.explicit or result.expected:
                    problems.report(result.spec, result.failure.reason)
                continue
            assert result.value is not None
            if result.value.found:
                replaced |= _redact_file(result.source, result.value, target, output)
            elif target.out_dir is not None:
                _copy_unchanged(result.source, target.out_dir, output)
    finally:
        progress.close()
    output.stdout.flush()
    return ExitStatus.of(problems.count, found=replaced)


def _redact_file(source: Source, found: FileCredentials, target: Target, output: Output) -> bool:
    """List the file's credentials; replace them where `target` says. True when there were some to replace."""
    from llmcat.formats import read_bytes, split_address
    from llmcat.render.check_view import redaction_line
    from llmcat.validation.redact import placeholder
    from llmcat.validation.secrets import mask

    path = split_address(source.spec)[0]
    if path == "-" and not target.dry:
        output.problems.report(path, "standard input cannot be redacted: name the file")
        return True
    for item in found.found:
        output.stdout.write(redaction_line(item.label, item.place, item.kind, mask(item.value), placeholder(item.kind), output.color))
    if target.dry:
        return True
    try:
        data = read_bytes(path)
    except InputError as e:
        output.problems.report(path, str(e))
        return True
    new = _redacted(data, [(item.kind, item.value) for item in found.found])
    reason = _still_wrong(new, path, found)
    if reason:
        output.problems.report(path, reason + ": not written")
        return True
    try:
        if target.in_place:
            write_in_place(path, new)
        else:
            assert target.out_dir is not None
            _write_new(_out_path(source, target.out_dir), new)
    except OSError as e:
        output.problems.report(path, f"cannot write: {e.strerror or e}")
    return True


def _redacted(data: bytes, found: list[tuple[str, str]]) -> bytes:
    """The file's bytes, each credential replaced: in every form the file writes it (URL-encoded as it was,
    JSON-escaped, inside encoded bodies), and where a stream's chunks write it in pieces."""
    from llmcat.validation.in_text import recorded_forms
    from llmcat.validation.redact import redact_bytes, replacements

    text = data.decode("utf-8", "replace")
    written = {value: recorded_forms(text, {value}) for _, value in found}
    return redact_bytes(data, replacements(found, written))


def _still_wrong(new: bytes, path: str, before: FileCredentials) -> str | None:
    """Why the redacted bytes are not what they should be (read back as the recorder's file:
    the same calls, no credential left), or None."""
    from llmcat.reading.pipeline import Failure, attempt

    left = attempt(_read_back, new, path)
    if isinstance(left, Failure):  # (its reason may quote the file, credentials and all: not repeated)
        return "the redacted file no longer reads as a recording"
    calls, found = left
    if calls != before.calls:
        return f"the redacted file reads as {calls} calls, not {before.calls}"
    if found:
        kinds = ", ".join(sorted({item.kind for item in found}))
        return f"{len(found)} credential{'s' if len(found) != 1 else ''} could not be replaced ({kinds})"
    return None


def _read_back(new: bytes, path: str) -> tuple[int, list[Found]]:
    from llmcat.apis.registry import reassemble
    from llmcat.formats import parse

    recordings = parse(new, path)
    return len(recordings), credentials_of([Call(rec, reassemble(rec)) for rec in recordings])


def write_in_place(path: str, data: bytes) -> None:
    """A temporary file beside the original (a link's target: the link stays), its permissions
    copied, renamed over it: the original is whole until the rename, the new one whole after."""
    import tempfile

    real = os.path.realpath(path)
    mode = os.stat(real).st_mode & 0o7777
    fd, temporary = tempfile.mkstemp(dir=os.path.dirname(real), prefix=".llmcat-redact-")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, real)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def _out_path(source: Source, out_dir: str) -> str:
    relative = source.relative
    if os.path.isabs(relative) or relative.startswith("..") or source.explicit:
        relative = os.path.basename(relative)
    return os.path.join(out_dir, relative)


def _write_new(path: str, data: bytes) -> None:
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "wb") as out:
        out.write(data)


def _copy_unchanged(source: Source, out_dir: str, output: Output) -> None:
    from llmcat.formats import read_bytes, split_address

    path = split_address(source.spec)[0]
    if path == "-":
        return
    try:
        _write_new(_out_path(source, out_dir), read_bytes(path))
    except (InputError, OSError) as e:
        output.problems.report(path, f"cannot copy: {getattr(e, 'strerror', None) or e}")


def _inside_any(out_dir: str, paths: list[str]) -> bool:
    out = os.path.realpath(out_dir)
    for path in paths:
        if path != "-" and os.path.isdir(path):
            tree = os.path.realpath(path)
            if out == tree or out.startswith(tree + os.sep):
                return True
    return False
