"""Evaluation sets by short name (lcsts, cnndm, flores-zh-en, ...) or any JSONL path with source/reference.

Sets are read from `shared_data_dir()/eval` when present, else from the small committed samples
in `eval/data/` (same file names, a few dozen lines each).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from summarizer.config import REPO_DIR, shared_data_dir
from summarizer.errors import InputError
from summarizer.prepare.ingest import jsonl_objects
from summarizer.evaluation.scoring.tokenizers import guess_lang

SAMPLES_DIR = REPO_DIR / "eval" / "data"


@dataclass(frozen=True)
class SetSpec:
    file: str
    task: str  # summarization | translation
    source_lang: str
    target_lang: str
    description: str
    keep: Callable[[dict], bool] | None = None  # row filter, e.g. LCSTS human_label >= 3
    summary_sentences: int | None = None  # natural summary length of the references


def _lcsts_good(row: dict) -> bool:
    return (row.get("human_label") or 0) >= 3


HELD_OUT = 200  # WMT19: the last items of each direction are the dev split (few-shot examples), never scored
_WMT19_TOTAL = {"zh-en": 2000, "en-zh": 1997}


def _wmt19_part(pair: str, dev: bool) -> Callable[[dict], bool]:
    def keep(row: dict) -> bool:
        number = int(str(row["id"]).rsplit("-", 1)[1])
        return (number > _WMT19_TOTAL[pair] - HELD_OUT) == dev
    return keep


def _flores_part(dev: bool) -> Callable[[dict], bool]:
    """FLORES devtest split for the checks benchmark: item index % 4 != 0 is dev (tuning), == 0 held out."""
    def keep(row: dict) -> bool:
        return ((int(str(row["id"]).rsplit("-", 1)[1]) - 1) % 4 != 0) == dev
    return keep


def _wmt19_held_out_sample(pair: str) -> Callable[[dict], bool]:
    """Every 6th item of the WMT19 test part (300 / 299): the checks benchmark's held-out news."""
    test = _wmt19_part(pair, dev=False)
    return lambda row: test(row) and int(str(row["id"]).rsplit("-", 1)[1]) % 6 == 0


SETS: dict[str, SetSpec] = {
    "lcsts": SetSpec("summ_zh_lcsts_part3.jsonl", "summarization", "zh", "zh",
                     "LCSTS Part III, human_label >= 3 (725 items)", _lcsts_good, 1),
    "lcsts-all": SetSpec("summ_zh_lcsts_part3.jsonl", "summarization", "zh", "zh", "LCSTS Part III, all 1106 items", None, 1),
    "cnndm": SetSpec("summ_en_cnndm_summeval_bartscore.jsonl", "summarization", "en", "en",
                     "CNN/DailyMail test articles from SummEval (100, tokenized text)", None, 3),
    "xsum": SetSpec("summ_en_xsum_frank.jsonl", "summarization", "en", "en",
                    "XSum test items from FRANK (251, lowercased tokenized references)", None, 1),
    "cls-en-zh": SetSpec("cls_en-zh_cyen2zhsum_sample.jsonl", "summarization", "en", "zh",
                         "CyEn2ZhSum sample: English article -> Chinese summary (10)"),
    "flores-zh-en": SetSpec("mt_flores200_devtest_zh-en.jsonl", "translation", "zh", "en", "FLORES-200 devtest zh->en (1012)"),
    "flores-en-zh": SetSpec("mt_flores200_devtest_en-zh.jsonl", "translation", "en", "zh", "FLORES-200 devtest en->zh (1012)"),
    "wmt19-zh-en": SetSpec("mt_wmt19_newstest2019_zh-en.jsonl", "translation", "zh", "en",
                           "WMT19 newstest zh->en, test part (first 1800)", _wmt19_part("zh-en", dev=False)),
    "wmt19-en-zh": SetSpec("mt_wmt19_newstest2019_en-zh.jsonl", "translation", "en", "zh",
                           "WMT19 newstest en->zh, test part (first 1797)", _wmt19_part("en-zh", dev=False)),
    "wmt19-zh-en-dev": SetSpec("mt_wmt19_newstest2019_zh-en.jsonl", "translation", "zh", "en",
                               "WMT19 newstest zh->en, held-out dev split (last 200; few-shot examples, tuning)",
                               _wmt19_part("zh-en", dev=True)),
    "wmt19-en-zh-dev": SetSpec("mt_wmt19_newstest2019_en-zh.jsonl", "translation", "en", "zh",
                               "WMT19 newstest en->zh, held-out dev split (last 200; few-shot examples, tuning)",
                               _wmt19_part("en-zh", dev=True)),
    # the checks benchmark (`summarizer eval --task checks`): tuned on the dev parts, reported on both
    **{f"flores-{p}-checks-{part}": SetSpec(f"mt_flores200_devtest_{p}.jsonl", "translation", p[:2], p[3:],
                                             f"FLORES-200 devtest {p}, items with index % 4 {op} 0 ({n}): checks {part}",
                                             _flores_part(part == "dev"))
       for p in ("zh-en", "en-zh") for part, op, n in (("dev", "!=", 759), ("heldout", "==", 253))},
    **{f"wmt19-{p}-checks-heldout": SetSpec(f"mt_wmt19_newstest2019_{p}.jsonl", "translation", p[:2], p[3:],
                                            f"WMT19 newstest {p}, every 6th item of the test part: checks held-out",
                                            _wmt19_held_out_sample(p))
       for p in ("zh-en", "en-zh")},
}
# Named splits of the checks benchmark, each one set per direction. Tune only on the dev splits; the held-out ones
# are for reporting (FLORES index % 4 == 0, every 6th WMT19 test item; WMT19 dev is the few-shot dev split).
CHECK_SPLITS: dict[str, tuple[str, ...]] = {
    "checks-flores-dev": ("flores-zh-en-checks-dev", "flores-en-zh-checks-dev"),
    "checks-flores-heldout": ("flores-zh-en-checks-heldout", "flores-en-zh-checks-heldout"),
    "checks-wmt19-dev": ("wmt19-zh-en-dev", "wmt19-en-zh-dev"),
    "checks-wmt19-heldout": ("wmt19-zh-en-checks-heldout", "wmt19-en-zh-checks-heldout"),
}
CHECK_SPLITS["checks-dev"] = CHECK_SPLITS["checks-flores-dev"] + CHECK_SPLITS["checks-wmt19-dev"]
CHECK_SPLITS["checks-heldout"] = CHECK_SPLITS["checks-flores-heldout"] + CHECK_SPLITS["checks-wmt19-heldout"]


@dataclass
class EvalItem:
    id: str
    source: str
    reference: str
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass
class EvalSet:
    name: str  # short name, or the file stem for a path
    path: Path
    task: str
    source_lang: str
    target_lang: str
    items: list[EvalItem]
    sample: bool = False  # True when read from the committed sample, not the full shared set
    summary_sentences: int | None = None


def eval_data_dir() -> Path:
    return shared_data_dir() / "eval"


def _read_jsonl(path: Path) -> list[dict]:
    rows = []
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text") from None
    for number, row in jsonl_objects(text, str(path)):
        if not isinstance(row.get("source"), str) or not isinstance(row.get("reference"), str):
            raise InputError(f"{path}:{number}: each line needs text fields 'source' and 'reference'")
        row.setdefault("id", f"{path.stem}-{number}")
        rows.append(row)
    if not rows:
        raise InputError(f"{path}: no items")
    return rows


def _items(rows: list[dict]) -> list[EvalItem]:
    skip = {"id", "source", "reference"}
    return [EvalItem(str(r["id"]), r["source"], r["reference"], {k: v for k, v in r.items() if k not in skip}) for r in rows]


def _langs_from_row(row: dict) -> tuple[str, str] | None:
    pair = row.get("lang_pair") or ""
    if "-" in pair:
        src, tgt = pair.split("-", 1)
        return src, tgt
    if row.get("source_lang") and row.get("target_lang"):
        return row["source_lang"], row["target_lang"]
    return None


def load_eval_set(data: str, task: str | None = None, limit: int | None = None) -> EvalSet:
    """A set by short name (see SETS) or a JSONL path; `limit` keeps the first N items (after filtering)."""
    spec = SETS.get(data.lower())
    if spec is not None:
        path, sample = eval_data_dir() / spec.file, False
        if not path.is_file():
            path, sample = SAMPLES_DIR / spec.file, True
        if not path.is_file():
            raise InputError(f"eval set {data!r}: {spec.file} is neither in {eval_data_dir()} nor in {SAMPLES_DIR}")
        rows = _read_jsonl(path)
        if spec.keep:
            rows = [r for r in rows if spec.keep(r)]
        name, set_task, src, tgt = data.lower(), spec.task, spec.source_lang, spec.target_lang
    else:
        path, sample = Path(data), False
        if not path.is_file():
            known = ", ".join(SETS)
            raise InputError(f"unknown eval set {data!r}: not a file and not one of {known}")
        rows = _read_jsonl(path)
        langs = _langs_from_row(rows[0])
        src, tgt = langs or (guess_lang([r["source"] for r in rows]), guess_lang([r["reference"] for r in rows]))
        name = path.stem
        set_task = rows[0].get("task") if rows[0].get("task") in ("summarization", "translation") else None
        set_task = set_task or task or ("translation" if src != tgt else "summarization")
    if limit is not None:
        rows = rows[: max(limit, 0)]
    return EvalSet(name, path, set_task, src, tgt, _items(rows), sample, spec.summary_sentences if spec else None)
