"""Summaries and translations from any chat Generator, driven by the prompt files in `prompts/`.

Translation goes paragraph by paragraph; each paragraph's sentences are packed into segments under a
token budget. Every output is checked (empty, cut off, looping, wrong language); a bad segment is retried
once with a corrective note and flagged in `last_notes` if it is still bad.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Sequence

from .. import prompts
from ..config import Settings
from ..errors import ModelError
from ..glossary import load_glossary
from ..segment import CJK, pack_segments, split_sentences
from .base import Generator

LATIN = re.compile(r"[A-Za-z]")
LOOP = re.compile(r"(.{4,}?)\1{2,}", re.S)
LANG_NAMES = {"zh": "Chinese", "en": "English"}

_CHATTY_PREFIXES = [
    re.compile(r"^\s*(?:sure[,!.]?\s*)?(?:here\s+is|here's|below\s+is)\b[^:\n]{0,80}[:：]\s*", re.I),
    re.compile(r"^\s*(?:english\s+|chinese\s+)?(?:translation|summary|translated text)\s*[:：]\s*", re.I),
    re.compile(r"^\s*(?:以下是|下面是)[^：:\n]{0,40}[：:]\s*"),
    re.compile(r"^\s*(?:中文|英文)?(?:翻译|译文|摘要|总结|概要)\s*[：:]\s*"),
]
_TAGS = re.compile(r"</?(?:source|article|translation|summary)>", re.I)
_FENCE = re.compile(r"^```[\w-]*\s*|\s*```$")
_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)、])\s+", re.M)


_ECHOED_PROBLEMS = re.compile(r"\n\s*(?:<problems>|Problems\s*:|问题\s*[:：])")


def clean_output(text: str) -> str:
    """Drop chatty prefixes ("Here is the translation:", "翻译："), echoed tags and code fences."""
    text = _FENCE.sub("", text.strip())
    text = _ECHOED_PROBLEMS.split(text)[0]  # a repair answer that repeats the problem list
    text = _TAGS.sub("", text).strip()
    changed = True
    while changed:
        changed = False
        for pattern in _CHATTY_PREFIXES:
            new = pattern.sub("", text, count=1)
            if new != text:
                text, changed = new.strip(), True
    return text


def cjk_ratio(text: str) -> float:
    cjk, latin = len(CJK.findall(text)), len(LATIN.findall(text))
    return cjk / (cjk + latin) if cjk + latin else 0.0


def is_repetitive(text: str) -> bool:
    """A loop: some piece of 4+ characters repeated 3+ times in a row."""
    return any(len(m.group(0)) >= 16 for m in LOOP.finditer(text))


def trim_repetition(text: str) -> str:
    """Collapse loops to one occurrence."""
    return LOOP.sub(lambda m: m.group(1) if len(m.group(0)) >= 16 else m.group(0), text)


def output_problems(source: str, output: str, target_lang: str, truncated: bool) -> list[str]:
    """Form problems of one generated segment; [] when it looks fine."""
    problems = []
    if not output.strip():
        return ["empty output"]
    if truncated:
        problems.append("cut off at the token limit")
    if is_repetitive(output):
        problems.append("repetition loop")
    letters = len(CJK.findall(output)) + len(LATIN.findall(output))
    if letters >= 4 and len(CJK.findall(source)) + len(LATIN.findall(source)) >= 4:
        ratio = cjk_ratio(output)
        if target_lang == "zh" and ratio < 0.3:
            problems.append("not in Chinese")
        elif target_lang == "en" and ratio > 0.3:
            problems.append("not in English")
    return problems


@dataclass
class _Job:
    """One prompt to run: where its output goes and what it is checked against."""

    prompt: str
    values: dict
    source: str
    target_lang: str
    max_new_tokens: int
    output: str = ""
    problems: list[str] = field(default_factory=list)


class PromptedEngine:
    """The Engine protocol over any Generator (transformers or llama.cpp)."""

    can_translate = True

    def __init__(self, generator: Generator, settings: Settings, name: str = "llm"):
        self.generator = generator
        self.settings = settings
        self.name = name
        sha = generator.model_sha256
        self.model = f"{generator.model_id}@{sha[:12]}" if sha else generator.model_id
        self.last_notes: list[dict] = []

    # ------------------------------------------------------------ running jobs

    def _budget(self, text: str) -> int:
        tokens = self.generator.count_tokens(text)
        return max(self.settings.min_new_tokens, int(self.settings.max_new_tokens_ratio * tokens))

    def _run(self, jobs: list[_Job], task: str) -> None:
        """Generate all jobs, retry the bad ones once, record what stayed bad in last_notes."""
        self._generate(jobs)
        retry = [job for job in jobs if job.problems]
        if retry:
            for job in retry:
                job.values = dict(job.values)
                if any("cut off" in p or "loop" in p for p in job.problems):
                    job.max_new_tokens = int(job.max_new_tokens * 1.5)
            notes = {id(job): list(job.problems) for job in retry}
            self._generate(retry, note=True)
            for job in retry:
                self.last_notes.append({
                    "task": task,
                    "action": "retried" if not job.problems else "flagged",
                    "problems": notes[id(job)] if not job.problems else job.problems,
                    "source": job.source[:200],
                })

    def _generate(self, jobs: list[_Job], note: bool = False) -> None:
        conversations = []
        for job in jobs:
            messages = prompts.render(job.prompt, **job.values)
            if note:
                lang = LANG_NAMES[job.target_lang]
                messages[-1]["content"] += (
                    f"\n\n(A previous answer had these problems: {', '.join(job.problems)}. "
                    f"Answer again, completely, concisely and only in {lang}.)"
                )
            conversations.append(messages)
        outputs = self.generator.generate(conversations, [job.max_new_tokens for job in jobs])
        truncated = list(getattr(self.generator, "last_truncated", []) or [False] * len(jobs))
        for job, raw, cut in zip(jobs, outputs, truncated):
            text = clean_output(raw)
            problems = output_problems(job.source, text, job.target_lang, cut)
            if note and job.output.strip() and (not text.strip() or len(problems) > len(job.problems)):
                continue  # the retry is worse: keep the first answer and its problems
            job.output = trim_repetition(text) if "repetition loop" in problems else text
            job.problems = problems

    def _glossary(self, text: str, source_lang: str, target_lang: str) -> str:
        glossary = load_glossary(self.settings.glossary, self.settings.use_default_glossary)
        lines = glossary.as_prompt_lines(text, source_lang) if glossary else ""
        if not lines:
            return ""
        header = "术语表（必须使用）：" if target_lang == "zh" else "Glossary (use these translations):"
        return f"{header}\n{lines}\n\n"

    # ------------------------------------------------------------ translation

    def translate(self, texts: Sequence[str], source_lang: str, target_lang: str) -> list[str]:
        """Translate each text; every line (paragraph) is translated on its own and line breaks are kept."""
        self.last_notes = []
        if source_lang == target_lang:
            return list(texts)
        template = prompts.translate_name(source_lang, target_lang)
        prompts.load(template)  # fail early with a clear message when the direction is unsupported
        joiner_in = "" if source_lang == "zh" else " "
        joiner_out = "" if target_lang == "zh" else " "
        layout: list[list[list[_Job] | str]] = []  # per text: per line, its jobs or the blank line
        jobs: list[_Job] = []
        for text in texts:
            lines: list[list[_Job] | str] = []
            for line in text.split("\n"):
                if not line.strip():
                    lines.append(line)
                    continue
                sentences = split_sentences(line, source_lang)
                segments = pack_segments(sentences, self.settings.segment_tokens, self.generator.count_tokens, joiner_in)
                line_jobs = [
                    _Job(template, {"text": seg, "glossary": self._glossary(seg, source_lang, target_lang)}, seg,
                         target_lang, self._budget(seg))
                    for seg in segments
                ]
                jobs.extend(line_jobs)
                lines.append(line_jobs)
            layout.append(lines)
        if jobs:
            self._run(jobs, "translate")
        return [
            "\n".join(line if isinstance(line, str) else joiner_out.join(j.output for j in line if j.output) for line in lines)
            for lines in layout
        ]

    def repair(self, source: str, bad_translation: str, problems: list[str], source_lang: str, target_lang: str) -> str:
        """A corrected translation of `source`, given the faulty one and what checks found wrong with it."""
        return self.repair_many([(source, bad_translation, problems)], source_lang, target_lang)[0]

    def repair_many(self, items: Sequence[tuple[str, str, list[str]]], source_lang: str, target_lang: str) -> list[str]:
        """`repair` for many (source, bad translation, problems) at once, decoded together."""
        template = prompts.repair_name(source_lang, target_lang)
        jobs = []
        for source, bad_translation, problems in items:
            values = {
                "source": source,
                "translation": bad_translation,
                "problems": "\n".join(f"- {p}" for p in problems) or "- (unspecified)",
                "glossary": self._glossary(source, source_lang, target_lang),
            }
            jobs.append(_Job(template, values, source, target_lang, self._budget(source)))
        self.last_notes = []
        if jobs:
            self._run(jobs, "repair")
        return [job.output or bad for job, (_, bad, _) in zip(jobs, items)]

    # ------------------------------------------------------------ summaries

    def _summary_tokens(self, sentences: int, target_lang: str) -> int:
        per_sentence = 70 if target_lang == "zh" else 50
        return max(self.settings.min_new_tokens, per_sentence * sentences + 24)

    def _chunks(self, text: str, lang: str) -> list[str]:
        """Pieces of about map_reduce_chars characters, cut at sentence boundaries."""
        sentences = split_sentences(text, lang)
        return pack_segments(sentences, self.settings.map_reduce_chars, len, "" if lang == "zh" else " ")

    def summarize(self, texts: Sequence[str], lang: str, sentences: int, target_lang: str | None = None) -> list[str]:
        """One summary per text; articles longer than map_reduce_chars are summarized in pieces, then merged."""
        self.last_notes = []
        target = target_lang or lang
        if lang not in LANG_NAMES or target not in LANG_NAMES:
            raise ModelError(f"the llm engine summarizes Chinese and English only, not {lang}->{target}")
        direct = prompts.summarize_name(lang, target)
        final_jobs: list[_Job | None] = []
        map_jobs: list[list[_Job]] = []
        for text in texts:
            if len(text) > self.settings.map_reduce_chars:
                pieces = self._chunks(text, lang)
                per_piece = max(2, sentences)
                map_jobs.append([
                    _Job(direct, {"text": p, "sentences": per_piece, "glossary": self._glossary(p, lang, target)}, p,
                         target, self._summary_tokens(per_piece, target))
                    for p in pieces
                ])
                final_jobs.append(None)
            else:
                map_jobs.append([])
                final_jobs.append(
                    _Job(direct, {"text": text, "sentences": sentences, "glossary": self._glossary(text, lang, target)},
                         text, target, self._summary_tokens(sentences, target))
                )
        first_round = [j for j in final_jobs if j] + [j for group in map_jobs for j in group]
        if first_round:
            self._run(first_round, "summarize")
        reduce_jobs = []
        merge = prompts.summarize_name(target)
        for i, group in enumerate(map_jobs):
            if group:
                notes = ("" if target == "zh" else "\n").join(j.output for j in group if j.output)
                job = _Job(merge, {"text": notes, "sentences": sentences, "glossary": ""}, notes, target,
                           self._summary_tokens(sentences, target))
                final_jobs[i] = job
                reduce_jobs.append(job)
        if reduce_jobs:
            self._run(reduce_jobs, "summarize-merge")
        return [_BULLET.sub("", job.output).strip() if job else "" for job in final_jobs]
