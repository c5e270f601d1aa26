"""Summaries, translations and repairs from any chat Generator, driven by the prompt files in `prompts/`.

A summary is written from the article's key sentences under a token budget (`summary_input`), or, with no
budget, from the whole article (map-reduce when it is long). Translation goes paragraph by paragraph; each
paragraph's sentences are packed into segments under a token budget. Every output is judged (empty, cut off,
looping, wrong language); a bad segment is retried once with a corrective note, then sentence by sentence if it
is still in the wrong language, and otherwise marked failed. What happened is returned with each text
(`Generation.notes`), never kept on the engine.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Sequence

from summarizer.engines import prompts
from summarizer.engines.base import Generator
from summarizer.generation import Generation, RepairRequest, Terms
from summarizer.engines.key_sentences import key_sentences
from summarizer.engines.quality import TranslationPlan
from summarizer.engines.postprocess import WRONG_LANGUAGE, clean_output, output_problems, trim_repetition
from summarizer.engines.textrank import TextRankSummarizer
from summarizer.errors import ModelError
from summarizer.rerank import CandidateSet, choose, make_scorers
from summarizer.text.sentences import pack_segments, split_sentences

LANG_NAMES = {"zh": "Chinese", "en": "English"}
JOINER = {"zh": "", "en": " "}
_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)、])\s+", re.M)
COPIED_EXAMPLE = "copied a prompt example"  # such a draft is retried without the examples


@dataclass
class _Job:
    """One prompt to run: which input text it belongs to, and what its output is checked against. A translation
    job may ask for several candidates (the best is kept), carry few-shot examples, and see earlier jobs of its
    text (`title`, `previous`) as context."""

    prompt: str
    values: dict
    source: str
    target_lang: str
    max_new_tokens: int
    owner: int = 0
    source_lang: str = ""
    candidates: int = 1
    examples: tuple[prompts.Example, ...] = ()
    terms: Terms | None = None
    title: _Job | None = None
    previous: _Job | None = None
    output: str = ""
    truncated: bool = False
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class _Draft:
    """One candidate output of a job, judged."""

    text: str
    truncated: bool
    problems: list[str]


def _terms_block(terms: Terms | None, text: str, source_lang: str, target_lang: str) -> str:
    lines = terms.prompt_lines(text, source_lang) if terms else ""
    if not lines:
        return ""
    header = "术语表（必须使用）：" if target_lang == "zh" else "Required terms (use these translations):"
    return f"{header}\n{lines}\n\n"


CONTEXT_HEADER = {
    "en": "Context: earlier text of the same article and its translation, only to keep names and terms consistent "
          "(do not translate it again):",
    "zh": "上下文：同一篇文章前文的原文和译文，仅用于保持人名和术语一致（不要再翻译）：",
}
CONTEXT_LABELS = {"en": ("Start of the article", "Previous"), "zh": ("文章开头", "上文")}
CONTEXT_CHARS = 200  # of each context text, at its end (the previous segment) or start (the first segment)


def _waves(ordered: list[list[_Job]]) -> list[list[_Job]]:
    """The k-th job of every text in wave k, each job linked to its text's first job (usually the title) and to
    the one before it."""
    for jobs in ordered:
        for k, job in enumerate(jobs):
            job.title = jobs[0] if k > 1 else None
            job.previous = jobs[k - 1] if k else None
    return [[jobs[k] for jobs in ordered if k < len(jobs)] for k in range(max(map(len, ordered), default=0))]


def _context_block(job: _Job, source_lang: str, target_lang: str) -> str:
    """The text's first and previous segments, source => translation, in <context> tags ("" for a first segment)."""
    title, previous = CONTEXT_LABELS[target_lang]
    lines = []
    for label, earlier, clip in ((title, job.title, slice(0, CONTEXT_CHARS)), (previous, job.previous,
                                                                             slice(-CONTEXT_CHARS, None))):
        if earlier is not None and earlier.output and not earlier.problems:
            lines.append(f"{label}: {earlier.source[clip]} => {earlier.output[clip]}")
    if not lines:
        return ""
    return f"{CONTEXT_HEADER[target_lang]}\n<context>\n" + "\n".join(lines) + "\n</context>\n\n"


MAP_REDUCE_BUDGETS = 8  # with a summary budget, articles over this many budgets of tokens are read in pieces


@dataclass(frozen=True)
class Budget:
    """How much text goes into one prompt and how much may come out."""

    segment_tokens: int = 200  # source tokens per translation segment
    max_new_tokens_ratio: float = 2.5  # output tokens allowed per input token
    min_new_tokens: int = 48
    map_reduce_chars: int = 1800  # whole-article mode only: longer articles are summarized in pieces, then merged
    summary_input_tokens: int = 400  # key sentences read for a summary (extract-then-abstract); 0 = whole article


class PromptedEngine:
    """The Engine and Repairer protocols over any Generator (transformers or llama.cpp)."""

    can_translate = True

    def __init__(self, generator: Generator, name: str = "llm", budget: Budget = Budget(),
                 ranker: TextRankSummarizer | None = None, plan: TranslationPlan = TranslationPlan(),
                 example_source: prompts.ExampleSource | None = None):
        """ranker: picks the key sentences a summary is written from (default: TextRank's default settings);
        plan: how translations are made and chosen (candidates, rerank scorers, context, examples);
        example_source: the few-shot pairs for a segment (default: the fixed ones, `prompts.examples`)."""
        self.example_source = example_source or prompts.FixedExamples()
        self.generator = generator
        self.name = name
        self.budget = budget
        self.ranker = ranker or TextRankSummarizer()
        self.plan = plan
        self.scorers = make_scorers(plan.rerank, self._back_translate) if plan.candidates > 1 else []
        sha = generator.model_sha256
        self.model = f"{generator.model_id}@{sha[:12]}" if sha else generator.model_id

    # ------------------------------------------------------------ running jobs
    def _budget(self, text: str) -> int:
        return max(self.budget.min_new_tokens, int(self.budget.max_new_tokens_ratio * self.generator.count_tokens(text)))

    def _run(self, jobs: list[_Job], task: str) -> None:
        """Generate all jobs, retry the bad ones once, and note what was retried or stayed bad."""
        self._generate(jobs)
        retry = [job for job in jobs if job.problems]
        if not retry:
            return
        first = {id(job): list(job.problems) for job in retry}
        for job in retry:
            if any("cut off" in p or "loop" in p for p in job.problems):
                job.max_new_tokens = int(job.max_new_tokens * 1.5)
        self._generate(retry, retry=True)
        for job in retry:
            action = "flagged" if job.problems else "retried"
            job.notes.append(f"{task} {action}: {', '.join(job.problems or first[id(job)])}")

    def _generate(self, jobs: list[_Job], retry: bool = False) -> None:
        """One output per job: its only draft, or the best of its candidates (a retry makes one)."""
        counts = [1 if retry else job.candidates for job in jobs]
        conversations, limits, sampling = [], [], []
        for job, count in zip(jobs, counts):
            conversation = self._conversation(job, retry)
            for k in range(count):
                conversations.append(conversation)
                limits.append(job.max_new_tokens)
                sampling.append(replace(self.plan.sampling, seed=self.plan.sampling.seed + k) if k else None)
        sampled = any(sampling)  # greedy calls pass no sampling (generators that only decode greedily still work)
        outputs = iter(self.generator.generate(conversations, limits, sampling) if sampled
                       else self.generator.generate(conversations, limits))
        drafts = [[self._judged(job, next(outputs)) for _ in range(count)] for job, count in zip(jobs, counts)]
        for job, best in zip(jobs, self._choose(jobs, drafts)):
            if retry and job.output.strip() and (not best.text.strip() or len(best.problems) > len(job.problems)):
                continue  # the retry is worse: keep the first answer and its problems
            job.output, job.truncated, job.problems = best.text, best.truncated, best.problems

    @staticmethod
    def _judged(job: _Job, out: Generation) -> _Draft:
        text = clean_output(out.text, job.target_lang)
        problems = output_problems(job.source, text, job.target_lang, out.truncated)
        if any(e.target.strip() in text and e.source.strip() not in job.source for e in job.examples):
            problems.append(COPIED_EXAMPLE)  # the model answered with a prompt example's translation
        return _Draft(trim_repetition(text) if "repetition loop" in problems else text, out.truncated, problems)

    def _choose(self, jobs: list[_Job], drafts: list[list[_Draft]]) -> list[_Draft]:
        """Per job, among the drafts with the fewest problems, the one the rerank scorers prefer (the greedy draft
        when they all tie). Every draft is scored: the others are MBR's evidence."""
        fewest = [[len(d.problems) == min(len(x.problems) for x in ds) for d in ds] for ds in drafts]
        sets = [CandidateSet(job.source, [d.text for d in ds], job.source_lang, job.target_lang, job.terms, ok)
                for job, ds, ok in zip(jobs, drafts, fewest)]
        contested = [i for i, ds in enumerate(drafts) if len({d.text for d in ds}) > 1]
        picks = dict(zip(contested, choose([sets[i] for i in contested], self.scorers))) if contested else {}
        return [ds[picks[i]] if i in picks else ds[ok.index(True)] for i, (ds, ok) in enumerate(zip(drafts, fewest))]

    def _back_translate(self, texts: list[str], source_lang: str, target_lang: str) -> list[str]:
        """Greedy translations with the plain prompt (the back-translation scorer's round trip)."""
        template = prompts.translate_name(source_lang, target_lang)
        jobs = [_Job(template, {"text": t, "glossary": "", "context": ""}, t, target_lang, self._budget(t),
                     source_lang=source_lang) for t in texts]
        self._generate(jobs)
        return [job.output for job in jobs]

    def _conversation(self, job: _Job, retry: bool) -> list[dict]:
        examples = () if retry and COPIED_EXAMPLE in job.problems else job.examples
        messages = prompts.render(job.prompt, examples, **job.values)
        if retry:
            messages[-1]["content"] += (
                f"\n\n(A previous answer had these problems: {', '.join(job.problems)}. "
                f"Answer again, completely, concisely and only in {LANG_NAMES[job.target_lang]}.)"
            )
        return messages

    @staticmethod
    def _collect(jobs_per_text: list[list[_Job]], joiner: str = "") -> list[Generation]:
        results = []
        for jobs in jobs_per_text:
            notes = [n for job in jobs for n in job.notes]
            results.append(Generation(
                text=joiner.join(job.output for job in jobs if job.output),
                truncated=any(job.truncated for job in jobs),
                notes=list(dict.fromkeys(notes)),
                failed=any(p in WRONG_LANGUAGE.values() or p == "empty output" for job in jobs for p in job.problems),
            ))
        return results

    # ------------------------------------------------------------ translation
    def _line_jobs(self, text: str, owner: int, source_lang: str, target_lang: str, terms: Terms | None) -> list[list[_Job]]:
        """Per line of the text, the jobs of its segments ([] for a blank line)."""
        lines = []
        for line in text.split("\n"):
            sentences = split_sentences(line, source_lang) if line.strip() else []
            segments = pack_segments(sentences, self.budget.segment_tokens, self.generator.count_tokens, JOINER.get(source_lang, " "))
            lines.append([self._translate_job(seg, owner, source_lang, target_lang, terms) for seg in segments])
        return lines

    def _translate_job(self, text: str, owner: int, source_lang: str, target_lang: str, terms: Terms | None,
                       candidates: int | None = None) -> _Job:
        values = {"text": text, "glossary": _terms_block(terms, text, source_lang, target_lang), "context": ""}
        return _Job(prompts.translate_name(source_lang, target_lang), values, text, target_lang, self._budget(text),
                    owner, source_lang, candidates or self.plan.candidates,
                    tuple(self.example_source(text, source_lang, target_lang, self.plan.examples)), terms)

    def translate(self, texts: Sequence[str], source_lang: str, target_lang: str,
                  terms: Terms | None = None) -> list[Generation]:
        """Translate each text; every line (paragraph) is translated on its own and line breaks are kept. With
        document context, a text's segments go in order (the k-th segments of all texts together), each seeing
        the text's first line (its title) and the previous segment with their translations."""
        if source_lang == target_lang:
            return [Generation(t) for t in texts]
        prompts.load(prompts.translate_name(source_lang, target_lang))  # an unsupported direction fails early
        per_text = [self._line_jobs(t, i, source_lang, target_lang, terms) for i, t in enumerate(texts)]
        ordered = [[job for line in lines for job in line] for lines in per_text]
        waves = _waves(ordered) if self.plan.context else [[job for jobs in ordered for job in jobs]]
        for wave in (w for w in waves if w):
            for job in wave:
                job.values["context"] = _context_block(job, source_lang, target_lang)
            self._run(wave, "translate")
            self._retry_by_sentence(wave, source_lang, terms)
        return [self._join_lines(lines, target_lang) for lines in per_text]

    def _join_lines(self, lines: list[list[_Job]], target_lang: str) -> Generation:
        """The text's translation; a line whose translation failed is left blank and its index noted."""
        pieces = self._collect(lines, JOINER.get(target_lang, " "))
        return Generation(
            text="\n".join("" if p.failed else p.text for p in pieces), truncated=any(p.truncated for p in pieces),
            notes=list(dict.fromkeys(n for p in pieces for n in p.notes)), failed=any(p.failed for p in pieces),
            failed_lines=[i for i, p in enumerate(pieces) if p.failed],
        )

    def _retry_by_sentence(self, jobs: list[_Job], source_lang: str, terms: Terms | None) -> None:
        """A segment still in the wrong language is translated again one sentence at a time."""
        for job in [j for j in jobs if set(j.problems) & set(WRONG_LANGUAGE.values())]:
            sentences = split_sentences(job.source, source_lang)
            parts = [self._translate_job(s, job.owner, source_lang, job.target_lang, terms, candidates=1)
                     for s in sentences]
            for part in parts:
                part.values["context"] = job.values.get("context", "")
            self._run(parts, "translate sentence")
            if not any(p.problems for p in parts):
                job.output = JOINER.get(job.target_lang, " ").join(p.output for p in parts)
                job.problems = []
                job.notes.append("translate retried sentence by sentence")
            else:
                job.notes.append(f"translate failed: {', '.join(sorted({x for p in parts for x in p.problems}))}")

    def repair(self, requests: Sequence[RepairRequest], source_lang: str, target_lang: str,
               terms: Terms | None = None) -> list[Generation]:
        """A corrected translation for each request, given the faulty one and what the checks found wrong."""
        template = prompts.repair_name(source_lang, target_lang)
        jobs = []
        for i, req in enumerate(requests):
            values = {
                "source": req.source,
                "translation": req.translation,
                "problems": "\n".join(f"- {p}" for p in req.problems) or "- (unspecified)",
                "glossary": _terms_block(terms, req.source, source_lang, target_lang),
            }
            jobs.append(_Job(template, values, req.source, target_lang, self._budget(req.source), i))
        if jobs:
            self._run(jobs, "repair")
        return self._collect([[job] for job in jobs])

    # ------------------------------------------------------------ summaries
    def _summary_tokens(self, sentences: int, target_lang: str) -> int:
        per_sentence = 70 if target_lang == "zh" else 50
        return max(self.budget.min_new_tokens, per_sentence * sentences + 24)

    def _summary_job(self, template: str, text: str, sentences: int, owner: int, lang: str, target: str,
                     terms: Terms | None) -> _Job:
        values = {"text": text, "sentences": sentences, "glossary": _terms_block(terms, text, lang, target)}
        return _Job(template, values, text, target, self._summary_tokens(sentences, target), owner)

    def summary_input(self, text: str, lang: str) -> str:
        """What the model reads to summarize `text`: the whole article when it fits summary_input_tokens (or that
        is 0), else its key sentences within that budget, in article order (see `key_sentences`)."""
        return key_sentences(text, lang, self.budget.summary_input_tokens, self.generator.count_tokens, self.ranker)

    def map_reduces(self, text: str) -> bool:
        """Whether `text` is summarized in pieces, then merged. Whole-article mode (summary_input_tokens = 0): when
        it is longer than map_reduce_chars. With a budget: only when it is longer than MAP_REDUCE_BUDGETS budgets,
        where one budget of key sentences cannot hold a long report's content; each piece is then read through
        its own key sentences, so a piece costs at most one budget."""
        if self.budget.summary_input_tokens <= 0:
            return len(text) > self.budget.map_reduce_chars
        limit = MAP_REDUCE_BUDGETS * self.budget.summary_input_tokens
        return len(text) > limit and self.generator.count_tokens(text) > limit

    def summarize(self, texts: Sequence[str], lang: str, sentences: int, target_lang: str | None = None,
                  terms: Terms | None = None) -> list[Generation]:
        """One summary per text, written from its `summary_input`; see `map_reduces` for long articles."""
        target = target_lang or lang
        if lang not in LANG_NAMES or target not in LANG_NAMES:
            raise ModelError(f"the {self.name} engine summarizes Chinese and English only, not {lang}->{target}")
        direct = prompts.summarize_name(lang, target)
        finals: list[_Job | None] = []
        pieces: list[list[_Job]] = []
        for i, text in enumerate(texts):
            if self.map_reduces(text):
                chunks = pack_segments(split_sentences(text, lang), self.budget.map_reduce_chars, len, JOINER[lang])
                pieces.append([self._summary_job(direct, self.summary_input(c, lang), max(2, sentences), i, lang, target,
                                                 terms) for c in chunks])
                finals.append(None)
            else:
                pieces.append([])
                extract = self.summary_input(text, lang)
                finals.append(self._summary_job(direct, extract, sentences, i, lang, target, terms))
        first_round = [j for j in finals if j] + [j for group in pieces for j in group]
        if first_round:
            self._run(first_round, "summarize")
        self._merge_pieces(finals, pieces, sentences, target)
        outputs = self._collect([[j] if j else [] for j in finals])
        for out, group in zip(outputs, pieces):
            out.text = _BULLET.sub("", out.text).strip()
            out.notes = list(dict.fromkeys([n for j in group for n in j.notes] + out.notes))
        return outputs

    def _merge_pieces(self, finals: list[_Job | None], pieces: list[list[_Job]], sentences: int, target: str) -> None:
        """Map-reduce: the piece summaries of a long article are summarized again into one."""
        merge = prompts.summarize_name(target)
        reduce_jobs = []
        for i, group in enumerate(pieces):
            if group:
                notes = ("" if target == "zh" else "\n").join(j.output for j in group if j.output)
                finals[i] = self._summary_job(merge, notes, sentences, i, target, target, None)
                reduce_jobs.append(finals[i])
        if reduce_jobs:
            self._run(reduce_jobs, "summarize-merge")
