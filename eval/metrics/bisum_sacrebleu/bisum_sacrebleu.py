"""`evaluate` module: BLEU, chrF and TER via sacrebleu with the tokenizer for the target language.

    import evaluate
    mt = evaluate.load("eval/metrics/bisum_sacrebleu")     # a local path: no hub access
    mt.compute(predictions=[...], references=[...], target_lang="zh")

A thin wrapper over `summarizer.evaluation.scoring.score_translations`; needs the bisum package importable.
"""
import datasets
import evaluate

from summarizer.evaluation.scoring import score_translations

_DESCRIPTION = """Corpus BLEU, chrF and TER (sacrebleu) on 0-100 with bootstrap 95% confidence intervals and the
sacrebleu signature of each score. BLEU uses tokenize="zh" for Chinese targets and "13a" otherwise;
TER turns on asian_support for Chinese."""

_KWARGS_DESCRIPTION = """
Args:
    predictions: list of translations.
    references: list of reference translations (one per prediction).
    target_lang: "zh" or "en" (None: guessed from the references).
    per_item: also return sentence-level scores under "items".
Returns:
    BLEU, chrF, TER (0-100), "ci" {metric: [lo, hi]}, "signature" {metric: sacrebleu signature}, "n".
"""

_CITATION = """@inproceedings{post-2018-call, title={A Call for Clarity in Reporting {BLEU} Scores},
author={Post, Matt}, booktitle={Proceedings of the Third Conference on Machine Translation}, year={2018}, pages={186--191}}"""


@evaluate.utils.file_utils.add_start_docstrings(_DESCRIPTION, _KWARGS_DESCRIPTION)
class BisumSacrebleu(evaluate.Metric):
    def _info(self):
        return evaluate.MetricInfo(
            description=_DESCRIPTION,
            citation=_CITATION,
            inputs_description=_KWARGS_DESCRIPTION,
            features=datasets.Features({"predictions": datasets.Value("string"), "references": datasets.Value("string")}),
        )

    def _compute(self, predictions, references, target_lang=None, per_item=False):
        report = score_translations(predictions, references, target_lang)
        data = report.to_json()
        result = {**data["metrics"], "ci": data["ci"], "signature": data["signature"], "n": data["n"], "lang": data["lang"]}
        if per_item:
            result["items"] = data["items"]
        return result
