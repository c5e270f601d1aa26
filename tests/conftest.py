import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
sys.path.insert(0, str(Path(__file__).resolve().parent))


def seed(prefix: str) -> str:
    return next(EXAMPLES.glob(f"{prefix}_*.txt")).read_text("utf-8")


@pytest.fixture
def seed_text():
    return seed


@pytest.fixture
def run_cli(capsys):
    """Run `summarizer ...` in-process; returns (exit code, stdout, stderr)."""
    from summarizer.apps.cli import main

    def _run(*args: str):
        try:
            main(list(args))
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        out, err = capsys.readouterr()
        return code, out, err

    return _run


@pytest.fixture(scope="module")
def private_lexicon_cache(tmp_path_factory):
    """The names lexicon built into a cache folder of this module's own (no BISUM_CEDICT override)."""
    from summarizer.terms import lexicon

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("BISUM_CACHE_DIR", str(tmp_path_factory.mktemp("bisum-cache")))
        mp.delenv("BISUM_CEDICT", raising=False)
        lexicon.load.cache_clear()
        yield
    lexicon.load.cache_clear()
