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
