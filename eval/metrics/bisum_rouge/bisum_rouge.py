"""`evaluate` module: language-aware ROUGE from bisum (Chinese by characters or jieba words, English Porter-stemmed).

    import evaluate
    rouge = evaluate.load("eval/metrics/bisum_rouge")      # a local path: no hub access
    rouge.compute(predictions=[...], references=[...], lang="zh", tokenize="char")

A thin wrapper over `summarizer.evaluation.scoring.score_summaries`; needs the bisum package importable.
"""
import datasets
import evaluate

from summarizer.evaluation.scoring import score_summaries

_DESCRIPTION = """ROUGE-1/2/L/Lsum F1 on a 0-100 scale with bootstrap 95% confidence intervals.
Chinese is tokenized by characters (tokenize="char", default) or jieba words (tokenize="jieba");
English uses rouge_score's tokenizer with Porter stemming, so English numbers equal rouge_score
with use_stemmer=True. rouge_score's own tokenizer drops Chinese and scores it 0; this one does not."""

_KWARGS_DESCRIPTION = """
Args:
    predictions: list of summaries.
    references: list of reference summaries (one per prediction).
    lang: "zh" or "en" (None: guessed from the references).
    tokenize: None (language default), "char", "jieba", "porter" or "word".
    per_item: also return per-item scores under "items".
Returns:
    rouge1, rouge2, rougeL, rougeLsum (0-100), "ci" {metric: [lo, hi]}, "signature" {metric: str}, "n".
"""

_CITATION = """@inproceedings{lin-2004-rouge, title={ROUGE: A Package for Automatic Evaluation of Summaries},
author={Lin, Chin-Yew}, booktitle={Text Summarization Branches Out}, year={2004}, pages={74--81}}"""


@evaluate.utils.file_utils.add_start_docstrings(_DESCRIPTION, _KWARGS_DESCRIPTION)
class BisumRouge(evaluate.Metric):
    def _info(self):
        return evaluate.MetricInfo(
            description=_DESCRIPTION,
            citation=_CITATION,
            inputs_description=_KWARGS_DESCRIPTION,
            features=datasets.Features({"predictions": datasets.Value("string"), "references": datasets.Value("string")}),
        )

    def _compute(self, predictions, references, lang=None, tokenize=None, per_item=False):
        report = score_summaries(predictions, references, lang, tokenize)
        data = report.to_json()
        result = {**data["metrics"], "ci": data["ci"], "signature": data["signature"], "n": data["n"], "lang": data["lang"]}
        if per_item:
            result["items"] = data["items"]
        return result
