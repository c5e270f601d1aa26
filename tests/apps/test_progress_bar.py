"""Where progress shows: a bar on a terminal, log lines otherwise, always on stderr, nothing with --quiet."""
from __future__ import annotations

import io
import json

import pytest

from summarizer import progress
from summarizer.apps import progress_bar
from summarizer.progress import ArticleSize, Workload

WORK = Workload(steps=("summarize", "translate", "check"), model_steps=frozenset({"summarize", "translate", "check"}))


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_a_terminal_gets_a_bar_and_a_pipe_gets_log_lines(caplog):
    terminal = Terminal()
    with progress_bar.shown(stream=terminal) as tracker:
        tracker.expect(WORK, [ArticleSize(1, 1400, "zh", "en")])
    assert "0/1 articles" in terminal.getvalue() and "ETA" in terminal.getvalue()
    pipe = io.StringIO()
    with caplog.at_level("INFO", logger="summarizer"), progress_bar.shown(stream=pipe, every=0) as tracker:
        tracker.display.first = 0
        tracker.expect(WORK, [ArticleSize(1, 1400, "zh", "en")])
    assert pipe.getvalue() == ""
    assert any("0/1 articles" in r.getMessage() for r in caplog.records)
    with progress_bar.shown(enabled=False) as tracker:
        assert tracker is None and progress.current() is None


@pytest.fixture
def chatty_logs(monkeypatch):
    """Progress lines at once, whatever the job's length."""
    monkeypatch.setattr(progress_bar.LogLines, "__init__", lambda self, every=0, first=0: setattr(self, "every", 0)
                        or setattr(self, "first", 0) or setattr(self, "logged_at", float("-inf")))


def test_progress_goes_to_stderr_and_quiet_silences_it(run_cli, tmp_path, chatty_logs, seed_text):
    source = tmp_path / "a.txt"
    source.write_text(seed_text("001"), encoding="utf-8")
    code, out, err = run_cli("run", str(source), "--engine", "extractive", "--to", "none")
    assert code == 0 and "articles" in err and "ETA" in err
    assert "articles" not in out and all(json.loads(line) for line in out.splitlines())
    code, out, err = run_cli("run", str(source), "--engine", "extractive", "--to", "none", "--quiet")
    assert code == 0 and err == "" and out
    code, out, err = run_cli("summarize", str(source), "--engine", "extractive", "--quiet")
    assert code == 0 and err == "" and out
    code, out, err = run_cli("summarize", str(source), "--engine", "extractive")
    assert code == 0 and "articles" in err and "articles" not in out


def test_the_line_names_articles_segments_tokens_and_time():
    snap = progress.Snapshot("summarize", "articles", 0, 25, 3, 16, 22, 5100, 1200, 84.0, 21.0, 130.0, 252.0)
    assert progress_bar.describe(snap) == ("0/25 articles, 3/22 segments (16 running), 5.1k tokens read (84/s), "
                                           "1.2k written (21/s), 2:10 elapsed, ETA 4:12")
    assert snap.fraction == pytest.approx(130 / 382)
