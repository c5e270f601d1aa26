import importlib.util
import json
import shutil
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


@pytest.fixture(scope="session")
def tiny(tmp_path_factory):
    """(main, draft, foreign): a tiny Qwen2 GGUF, a smaller one with the same vocabulary, one with another vocabulary."""
    if importlib.util.find_spec("llama_cpp") is None:  # not imported here: bisum picks the CPU kernels first
        pytest.skip("llama-cpp-python is not installed")
    from tiny_models import build_tiny_gguf, build_tiny_qwen

    root = tmp_path_factory.mktemp("tiny-llamacpp")
    main_dir = build_tiny_qwen(root / "main")
    foreign_dir = shutil.copytree(main_dir, root / "foreign")
    tokenizer = json.loads((foreign_dir / "tokenizer.json").read_text("utf-8"))
    vocab = tokenizer["model"]["vocab"]
    names = {i: t for t, i in vocab.items()}
    vocab[names[300]], vocab[names[301]] = 301, 300  # two tokens swap ids
    (foreign_dir / "tokenizer.json").write_text(json.dumps(tokenizer, ensure_ascii=False), "utf-8")
    return (build_tiny_gguf(main_dir, root / "main.gguf"),
            build_tiny_gguf(build_tiny_qwen(root / "draft", layers=1, hidden=32), root / "draft.gguf"),
            build_tiny_gguf(foreign_dir, root / "foreign.gguf"))


@pytest.fixture(scope="session")
def tiny_visible(tmp_path_factory):
    """A tiny Qwen2 GGUF that only writes visible text and never stops before its token limit (timing-free tests)."""
    if importlib.util.find_spec("llama_cpp") is None:
        pytest.skip("llama-cpp-python is not installed")
    from tiny_models import build_tiny_gguf, build_tiny_qwen

    root = tmp_path_factory.mktemp("tiny-visible")
    return build_tiny_gguf(build_tiny_qwen(root / "hf", visible_only=True), root / "visible.gguf")
