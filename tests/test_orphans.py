"""Orphaned recordings: found exactly in suites of both layouts, none where no judgement is possible."""

from __future__ import annotations

import os
import shutil

import orjson
import pytest

from conftest import FIXTURES, SHARED
from llmcat import formats
from llmcat.model import InputError
from llmcat.reading.walk import expand
from llmcat.validation.orphans import Recorded, cassette_test, find_orphans

ORPHANS = FIXTURES / "orphans"


def recorded(*paths) -> list[Recorded]:
    out = []
    for source in expand([str(p) for p in paths]):
        try:
            rec = formats.load(source.spec)[0][0]
        except InputError:
            continue
        out.append(Recorded(source.spec, rec.format, rec.request.test_id))
    return out


def test_orphans_found_exactly_in_both_layouts():
    expected = sorted(str(FIXTURES / p) for p in orjson.loads((ORPHANS / "expected.txt").read_bytes()))
    found = find_orphans(recorded(ORPHANS))
    assert sorted(o.source for o in found) == expected
    messages = {o.source.rsplit("/", 1)[-1]: o.message for o in found}
    assert messages["test_deleted.yaml"] == ("its test test_deleted is gone: "
                                             "defined neither in tests/test_chat.py nor in any other test module")
    assert messages["test_anything.yaml"] == ("its test module tests/test_deleted_module.py is gone, "
                                              "and no other test module defines test_anything")
    assert "its test file tests/integration/inference/test_gone.py is gone" in messages.values()


def test_cassette_names():
    assert cassette_test("test_x.yaml") == (None, "test_x")
    assert cassette_test("TestGroup.test_y[gpt-4o-mini].yml") == ("TestGroup", "test_y")
    assert cassette_test("test_z[a.b].yaml.gz") == (None, "test_z")
    assert cassette_test("notes.txt") is None and cassette_test("not a name.yaml") is None


def test_no_test_sources_no_judgement(tmp_path):
    copy = tmp_path / "tests" / "cassettes" / "test_chat"
    shutil.copytree(ORPHANS / "vcr-project" / "tests" / "cassettes" / "test_chat", copy)
    assert find_orphans(recorded(tmp_path)) == []  # no test module anywhere: nothing to judge by
    llama = tmp_path / "elsewhere"
    shutil.copytree(ORPHANS / "llama-project" / "tests" / "integration" / "inference" / "recordings", llama)
    assert find_orphans(recorded(llama)) == []  # a copy outside its project's tests/: not judged


def test_a_deleted_test_is_an_orphan_once_its_module_changes(tmp_path):
    project = tmp_path / "p"
    shutil.copytree(ORPHANS / "vcr-project", project)
    live = project / "tests" / "cassettes" / "test_chat" / "test_live.yaml"
    assert str(live) not in {o.source for o in find_orphans(recorded(project))}
    module = project / "tests" / "test_chat.py"
    module.write_text(module.read_text().replace("def test_live(", "def test_alive("))
    assert str(live) in {o.source for o in find_orphans(recorded(project))}


def test_the_repositorys_own_fixtures_have_no_orphan_but_the_planted_ones():
    found = {o.source for o in find_orphans(recorded(FIXTURES))}
    assert found and all(s.startswith(str(ORPHANS)) for s in found)


@pytest.mark.skipif(not (SHARED / "corpus").is_dir(), reason="the shared corpus (../shared/corpus) is absent")
def test_no_orphan_judged_on_the_shared_corpus():
    assert find_orphans(recorded(SHARED / "corpus")) == []


def test_the_search_for_test_modules_stays_inside_the_project(tmp_path):
    """A suite's walk does not follow a directory link out of its tree (#18.6); the search for the test
    modules that orphans are judged by must not either: a link to `/proc` in a project walked the machine.
    A link that stays inside the project is followed."""
    from llmcat.validation.orphans import _test_modules

    project, outside = tmp_path / "project", tmp_path / "outside"
    (project / "tests" / "unit").mkdir(parents=True)
    (project / "tests" / "unit" / "test_inside.py").write_text("def test_a():\n    pass\n")
    outside.mkdir()
    (outside / "test_elsewhere.py").write_text("def test_b():\n    pass\n")
    (project / "tests" / "linked_out").symlink_to(outside, target_is_directory=True)
    (project / "linked_in").symlink_to(project / "tests" / "unit", target_is_directory=True)
    (project / "proc").symlink_to("/proc", target_is_directory=True)
    found = [os.path.relpath(p, project) for p in _test_modules(str(project))]
    assert sorted(found) in (["linked_in/test_inside.py"], ["tests/unit/test_inside.py"])  # (one of the two ways in)
