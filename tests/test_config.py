"""One configuration path: defaults < BISUM_* environment < flags, every value validated."""
import pytest

from summarizer.config import Settings
from summarizer.errors import ConfigError


def test_environment_overrides_defaults_and_flags_override_the_environment(monkeypatch):
    monkeypatch.setenv("BISUM_ENGINE", "llamacpp")
    monkeypatch.setenv("BISUM_SUMMARY_SENTENCES", "5")
    monkeypatch.setenv("BISUM_BATCH_SIZE", "2")
    monkeypatch.setenv("BISUM_REPAIR", "off")
    s = Settings.load()
    assert (s.engine, s.summary_sentences, s.batch_size, s.repair) == ("llamacpp", 5, 2, False)
    s = Settings.load(engine="extractive", summary_sentences=None, batch_size=4)  # None = flag not given
    assert (s.engine, s.summary_sentences, s.batch_size) == ("extractive", 5, 4)


def test_cli_flags_left_out_do_not_overwrite_the_environment(monkeypatch):
    """The bug: `summarizer run` used its own defaults (auto, 3, 8) over BISUM_ENGINE etc."""
    import summarizer.batch.local as local

    seen = {}
    monkeypatch.setattr(local, "run_batch", lambda paths, settings, out, resume=False: seen.setdefault("s", settings) and 0)
    monkeypatch.setenv("BISUM_ENGINE", "lead")
    monkeypatch.setenv("BISUM_SUMMARY_SENTENCES", "5")
    monkeypatch.setenv("BISUM_BATCH_SIZE", "2")
    from summarizer.apps.cli import main

    with pytest.raises(SystemExit):
        main(["run", "examples", "--to", "none"])
    s = seen["s"]
    assert (s.engine, s.summary_sentences, s.batch_size, s.to) == ("lead", 5, 2, "none")


@pytest.mark.parametrize("name,value,needle", [
    ("BISUM_ENGINE", "gpt9", "unknown engine"),
    ("BISUM_SUMMARY_SENTENCES", "three", "not a valid value"),
    ("BISUM_SUMMARY_SENTENCES", "0", "at least 1"),
    ("BISUM_TO", "fr", "must be one of"),
    ("BISUM_CHECK", "perhaps", "not a valid value"),
])
def test_bad_values_are_one_line_errors(monkeypatch, name, value, needle):
    monkeypatch.setenv(name, value)
    from summarizer import api

    with pytest.raises(ConfigError, match=needle):
        api.settings()


def test_bad_environment_value_exits_with_one_line(monkeypatch, run_cli):
    monkeypatch.setenv("BISUM_SUMMARY_SENTENCES", "lots")
    code, _, err = run_cli("run", "examples", "--engine", "extractive", "--to", "none")
    assert code == 2 and err.strip().splitlines() == ["bisum: error: BISUM_SUMMARY_SENTENCES='lots' is not a valid value"]


def test_memory_key_follows_the_fields_that_change_output():
    options = Settings().output_options()
    assert {"segment_tokens", "glossary", "dtype", "num_beams", "repetition_penalty", "summary_sentences"} <= set(options)
    assert not {"check", "cache", "web_queue", "threads", "max_bytes"} & set(options)
