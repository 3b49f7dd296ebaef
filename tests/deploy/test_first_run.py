import json

import pytest
from django.core.management import call_command

from problems import validation_cache
from problems.validation_cache import validation_cache_read, validation_cache_write


def test_it_trusts_a_recorded_report_for_the_same_engine(tmp_path):
    path = tmp_path / "validated.json"
    validation_cache_write(reports={"abc": {"ok": True}}, path=path)

    assert validation_cache_read(path=path) == {"abc": {"ok": True}}


def test_it_ignores_every_recorded_report_once_the_engine_changed(tmp_path, monkeypatch):
    # given reports recorded by one engine version
    path = tmp_path / "validated.json"
    validation_cache_write(reports={"abc": {"ok": True}}, path=path)

    # when the engine source changes
    monkeypatch.setattr(validation_cache, "engine_hash", lambda: "another-engine")

    # then nothing is trusted, so every problem is validated again
    assert validation_cache_read(path=path) == {}


def test_it_validates_everything_when_the_cache_file_is_missing(tmp_path):
    assert validation_cache_read(path=tmp_path / "missing.json") == {}


@pytest.mark.slow
@pytest.mark.skipif(
    not validation_cache.CACHE_PATH.exists(),
    reason="no problems/validated.json committed: make run validates every problem itself",
)
@pytest.mark.django_db
def test_it_finds_the_committed_validation_cache_current(tmp_path, monkeypatch):
    # given the committed cache
    committed = json.loads(validation_cache.CACHE_PATH.read_text())

    # when every code problem is validated afresh into a scratch file
    fresh_path = tmp_path / "validated.json"
    monkeypatch.setattr(validation_cache, "CACHE_PATH", fresh_path)
    call_command("load_curriculum", "--refresh-validation-cache", verbosity=0)
    fresh = json.loads(fresh_path.read_text())

    # then the committed file records exactly this engine and these passing problems
    stale = (
        f"problems/validated.json is stale (content or engine/ changed); refresh it with "
        f"`.venv/bin/python {validation_cache.REFRESH_COMMAND}` and commit it."
    )
    assert committed["engine"] == fresh["engine"], stale
    assert sorted(committed["reports"]) == sorted(fresh["reports"]), stale
