"""Encoder-decoder translation (Marian, NLLB, M2M100, mBART) and summarization (mT5/BART) models.

`model` may name one model or a comma-separated pair (e.g. zh->en and en->zh Marian models);
the direction of each is read from its tokenizer (source/target language, or multilingual language codes).
Translation is sentence by sentence, batched and sorted by length, and reassembled per paragraph.
"""
from __future__ import annotations

import os
import re
import threading
from dataclasses import dataclass
from typing import Sequence

from summarizer import models
from summarizer.generation import Generation, Terms
from summarizer.errors import EngineUnavailable, ModelError
from summarizer.text.sentences import split_long, split_sentences

DEFAULT_PAIR = ("Helsinki-NLP/opus-mt-zh-en", "Helsinki-NLP/opus-mt-en-zh")
# language codes of multilingual tokenizers, by the vocabulary entry that identifies the scheme
_CODE_SCHEMES = {
    "zho_Hans": {"zh": "zho_Hans", "en": "eng_Latn"},  # NLLB
    "zh_CN": {"zh": "zh_CN", "en": "en_XX"},  # mBART-50
    "__zh__": {"zh": "zh", "en": "en"},  # M2M100 (tokens look like __zh__)
}
_MARIAN_TARGET_TOKENS = {"zh": (">>cmn_Hans<<", ">>zho<<", ">>cmn<<"), "en": (">>eng<<",)}
MAX_SENTENCE_CHARS = 400


@dataclass
class _Seq2SeqModel:
    model_id: str
    location: object
    tokenizer: object
    codes: dict | None  # multilingual language codes, or None for a one-direction model
    direction: tuple[str, str] | None  # (source, target) for one-direction models
    is_summarizer: bool
    model: object = None

    def translates(self, source: str, target: str) -> bool:
        return self.direction == (source, target) or bool(self.codes and source in self.codes and target in self.codes)


def _direction_from(tokenizer, model_id: str) -> tuple[str, str] | None:
    source, target = getattr(tokenizer, "source_lang", None), getattr(tokenizer, "target_lang", None)
    if source and target:
        return str(source)[:2], str(target)[:2]
    match = re.search(r"(?:^|[-_/])(zh|en)[-_](zh|en)(?:$|[-_])", model_id.lower())
    return (match.group(1), match.group(2)) if match else None


def _load_entry(model_id: str) -> _Seq2SeqModel:
    try:
        from transformers import AutoConfig, AutoTokenizer
        from transformers.utils import logging as hf_logging
    except ImportError as exc:
        raise EngineUnavailable(f"the seq2seq engine needs torch and transformers ({exc}); pip install 'bisum[llm]'") from None
    hf_logging.set_verbosity_error()
    spec, location = models.resolve(model_id)
    if spec.kind != "seq2seq":
        raise ModelError(f"{model_id} is a {spec.kind} model, not an encoder-decoder; use --engine llm")
    try:
        config = AutoConfig.from_pretrained(location)
        tokenizer = AutoTokenizer.from_pretrained(location)
    except (OSError, ValueError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise EngineUnavailable(f"cannot load seq2seq model {model_id} (offline? pass a local directory): {first}") from None
    vocab = tokenizer.get_vocab()
    codes = next((scheme for marker, scheme in _CODE_SCHEMES.items() if marker in vocab), None)
    is_summarizer = "summarization" in (getattr(config, "task_specific_params", None) or {}) or "sum" in model_id.lower()
    return _Seq2SeqModel(model_id, location, tokenizer, codes, None if codes else _direction_from(tokenizer, model_id), is_summarizer)


class Seq2SeqEngine:
    """The Engine protocol over one or two encoder-decoder models."""

    name = "seq2seq"
    can_translate = True

    def __init__(self, model: str | Sequence[str] | None = None, *, threads: int | None = None, batch_size: int = 8,
                 num_beams: int = 4, repetition_penalty: float = 1.0, no_repeat_ngram_size: int = 0,
                 min_new_tokens: int = 48, max_new_tokens_ratio: float = 2.5):
        """model: one hub id/path, a comma-separated pair, or a list (default: the opus-mt zh-en/en-zh pair)."""
        ids = [m.strip() for m in model.split(",") if m.strip()] if isinstance(model, str) else list(model or DEFAULT_PAIR)
        self.entries = [_load_entry(model_id) for model_id in ids]
        self.threads = threads or os.cpu_count() or 1
        self.batch_size = max(1, batch_size)
        self.num_beams = num_beams
        self.repetition_penalty = repetition_penalty
        self.no_repeat_ngram_size = no_repeat_ngram_size
        self.min_new_tokens = min_new_tokens
        self.max_new_tokens_ratio = max_new_tokens_ratio
        self.model = ",".join(ids)
        self.can_translate = any(e.direction or e.codes for e in self.entries)
        self._lock = threading.Lock()

    # ------------------------------------------------------------ helpers

    def _entry_for(self, source: str, target: str) -> _Seq2SeqModel:
        for entry in self.entries:
            if entry.translates(source, target):
                return entry
        raise EngineUnavailable(f"no loaded seq2seq model translates {source}->{target} (have: {self.model})")

    def _model(self, entry: _Seq2SeqModel):
        if entry.model is None:
            import torch
            from transformers import AutoModelForSeq2SeqLM

            torch.set_num_threads(self.threads)
            try:
                entry.model = AutoModelForSeq2SeqLM.from_pretrained(entry.location).eval()
            except (OSError, ValueError) as exc:
                raise EngineUnavailable(f"cannot load seq2seq weights {entry.model_id}: {str(exc).splitlines()[0]}") from None
        return entry.model

    def _prefix(self, entry: _Seq2SeqModel, target: str) -> str:
        """Marian multi-target models need a >>lang<< token in front of the source."""
        if entry.codes:
            return ""
        vocab = entry.tokenizer.get_vocab()
        return next((tok + " " for tok in _MARIAN_TARGET_TOKENS.get(target, ()) if tok in vocab), "")

    def _generate(self, entry: _Seq2SeqModel, inputs: list[str], source: str | None, target: str | None,
                  max_new: int | None = None) -> list[str]:
        """Beam-search outputs in input order; callers on other threads wait their turn."""
        with self._lock:
            return self._generate_batches(entry, inputs, source, target, max_new)

    def _generate_batches(self, entry: _Seq2SeqModel, inputs: list[str], source: str | None, target: str | None,
                          max_new: int | None) -> list[str]:
        import torch

        model, tokenizer = self._model(entry), entry.tokenizer
        kwargs: dict = {"num_beams": self.num_beams, "do_sample": False}
        if entry.codes and source and target:
            tokenizer.src_lang = entry.codes[source]
            kwargs["forced_bos_token_id"] = tokenizer.convert_tokens_to_ids(entry.codes[target])
        if self.no_repeat_ngram_size:
            kwargs["no_repeat_ngram_size"] = self.no_repeat_ngram_size
        if self.repetition_penalty and self.repetition_penalty != 1.0:
            kwargs["repetition_penalty"] = self.repetition_penalty
        limit = getattr(model.config, "max_position_embeddings", 512) or 512
        order = sorted(range(len(inputs)), key=lambda i: len(inputs[i]))
        outputs = [""] * len(inputs)
        batch_size = self.batch_size
        for start in range(0, len(order), batch_size):
            batch = order[start : start + batch_size]
            encoded = tokenizer([inputs[i] for i in batch], return_tensors="pt", padding=True, truncation=True,
                                max_length=min(512, limit))
            in_len = int(encoded["attention_mask"].sum(dim=1).max())
            new_tokens = max_new or max(self.min_new_tokens, int(self.max_new_tokens_ratio * in_len))
            with torch.inference_mode():
                generated = model.generate(**encoded, max_new_tokens=min(new_tokens, limit), **kwargs)
            for row, text in zip(batch, tokenizer.batch_decode(generated, skip_special_tokens=True)):
                outputs[row] = text.strip()
        return outputs

    # ------------------------------------------------------------ Engine protocol

    def translate(self, texts: Sequence[str], source_lang: str, target_lang: str,
                  terms: Terms | None = None) -> list[Generation]:
        """Sentence by sentence, batched; `terms` are not used (encoder-decoder models take no instructions)."""
        if source_lang == target_lang:
            return [Generation(t) for t in texts]
        entry = self._entry_for(source_lang, target_lang)
        prefix = self._prefix(entry, target_lang)
        sentences: list[str] = []
        layout: list[list[list[int] | str]] = []  # per text, per line: indices into `sentences` or a blank line
        for text in texts:
            lines: list[list[int] | str] = []
            for line in text.split("\n"):
                if not line.strip():
                    lines.append(line)
                    continue
                indices = []
                for sentence in split_sentences(line, source_lang):
                    for piece in split_long(sentence, MAX_SENTENCE_CHARS):
                        indices.append(len(sentences))
                        sentences.append(prefix + piece)
                lines.append(indices)
            layout.append(lines)
        translated = self._generate(entry, sentences, source_lang, target_lang) if sentences else []
        joiner = "" if target_lang == "zh" else " "
        return [Generation("\n".join(line if isinstance(line, str) else joiner.join(translated[i] for i in line)
                                     for line in lines))
                for lines in layout]

    def summarize(self, texts: Sequence[str], lang: str, sentences: int, target_lang: str | None = None,
                  terms: Terms | None = None) -> list[Generation]:
        summarizer = next((e for e in self.entries if e.is_summarizer), None)
        if summarizer is None:
            raise EngineUnavailable(
                f"seq2seq model(s) {self.model} translate only; summarize with --engine extractive or llm, "
                "or pass a summarization model (mT5/BART) with --model"
            )
        is_t5 = "t5" in type(self._model(summarizer)).__name__.lower()
        inputs = [("summarize: " if is_t5 else "") + text for text in texts]
        summaries = self._generate(summarizer, inputs, None, None, max_new=40 * max(1, sentences) + 20)
        target = target_lang or lang
        return [Generation(s) for s in summaries] if target == lang else self.translate(summaries, lang, target)
