"""Pure functions from plain data (records: `Result.to_record()` dicts, flags, strings) to what the page shows: HTML
with the flagged spans highlighted, the bilingual view, the removal table, the status line, and the Markdown download.
What each article's status is, `state` works out; nothing here does.

A translation that failed is null in its record, with a check of type "failed": it is shown as FAILED, never
as a translation. Text that cleaning removed because it addressed the model (reason "instruction") is flagged.
"""
from __future__ import annotations

from html import escape

SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
INSTRUCTION = "instruction"  # the Removal reason of an injected instruction taken out by cleaning
LEGEND = (
    '<div class="legend">Flags: <mark class="flag error">error</mark> <mark class="flag warning">warning</mark> '
    '<mark class="flag info">info</mark> — flagged spans are highlighted in the texts; hover for the explanation.</div>'
)
FAILED_FIELDS = {"summary_translated": "Translated summary", "translation": "Full translation"}
Span = tuple[str, str, str]  # (text to mark, severity, message)
NO_TITLE = "(title not translated)"


def muted(message: str) -> str:
    return f'<p class="muted">{escape(message)}</p>'


def status_html(message: str, kind: str = "info") -> str:
    return f'<div class="bisum-status {kind}" role="status">{escape(message)}</div>'


def marked(text: str, spans: list[Span]) -> str:
    """`text` HTML-escaped, with each (span, severity, message) found in it wrapped in <mark title=message>."""
    hits: list[tuple[int, int, str, str]] = []
    for span, severity, message in spans:
        if not span or not span.strip():
            continue
        start = text.find(span)
        while start != -1:
            hits.append((start, start + len(span), severity, message))
            start = text.find(span, start + len(span))
    out, pos = [], 0
    for start, end, severity, message in sorted(hits, key=lambda h: (h[0], -h[1])):
        if start < pos:
            continue  # overlaps a span already marked
        title = escape(f"{severity}: {message}")
        out.append(f'{escape(text[pos:start])}<mark class="flag {severity}" title="{title}">{escape(text[start:end])}</mark>')
        pos = end
    out.append(escape(text[pos:]))
    return "".join(out)


def paragraphs_html(text: str, spans: list[Span] | None = None) -> str:
    return "".join(f"<p>{marked(p, spans or [])}</p>" for p in (text or "").split("\n\n") if p.strip())


def spans_of(checks: list[dict], fields: set[str], side: str) -> list[Span]:
    return [(c.get(side) or "", c["severity"], c["message"]) for c in checks if c.get("field") in fields]


def failures(record: dict, *fields: str | None) -> list[dict]:
    """The record's "failed" checks (translations that were refused), for these fields (none given: all)."""
    return [c for c in record.get("checks") or [] if c["type"] == "failed" and (not fields or c.get("field") in fields)]


def instructions(record: dict) -> list[dict]:
    return [r for r in record.get("removed") or [] if r.get("reason") == INSTRUCTION]


def one_line(text: str, limit: int = 300) -> str:
    line = " ".join((text or "").split())
    return line if len(line) <= limit else line[:limit] + "…"


# --- the article's texts --------------------------------------------------------------------------


def streaming_html(text: str) -> str:
    """Text the model is still writing: shown as it grows, marked as unfinished (the cursor ends its last line)."""
    body, cursor = paragraphs_html(text), '<span class="cursor">▌</span>'
    body = body[:-len("</p>")] + cursor + "</p>" if body.endswith("</p>") else body + cursor
    return f'<div class="bisum-text streaming" aria-busy="true">{body}</div>'


def summary_html(record: dict, partial: str = "") -> str:
    if record.get("error"):
        return f'<div class="bisum-error">{escape(record["error"])}</div>'
    if record.get("summary") is None:
        return streaming_html(partial) if partial else muted("Summarizing…")
    checks = record.get("checks") or []
    spans = spans_of(checks, {"summary"}, "target_span") + spans_of(checks, {"summary_translated"}, "source_span")
    return f'<div class="bisum-text">{paragraphs_html(record["summary"], spans)}</div>'


def translated_summary_html(record: dict, translating: bool, warnings: list[str], partial: str = "") -> str:
    failed = failures(record, "summary_translated")
    if failed:
        return f'<div class="bisum-failed" role="alert">{escape(failure_text(failed[0]))}</div>'
    if record.get("summary_translated"):
        spans = spans_of(record.get("checks") or [], {"summary_translated"}, "target_span")
        return f'<div class="bisum-text">{paragraphs_html(record["summary_translated"], spans)}</div>'
    if translating:
        return streaming_html(partial) if partial else muted("Translating…")
    if warnings:
        return muted(warnings[0])
    return muted("No translation (none asked for, or the article is already in the target language).")


def bilingual_html(record: dict) -> str:
    pairs = record.get("translation_pairs")
    if not pairs:
        return muted("The side-by-side view shows the full translation: choose “full article” under “Translate”.")
    checks = [c for c in record.get("checks") or [] if c.get("field") == "translation" and c["type"] != "failed"]
    failed = bool(failures(record, "translation"))
    src_spans, tgt_spans = spans_of(checks, {"translation"}, "source_span"), spans_of(checks, {"translation"}, "target_span")
    rows = [title_row(record)] if record.get("title") else []
    for i, (source, target) in enumerate(pairs, 1):
        shown = marked(target, tgt_spans) if target or not failed else '<span class="bisum-failed">Translation failed</span>'
        rows.append(f"<tr><td class='num'>{i}</td><td>{marked(source, src_spans)}</td><td>{shown}</td></tr>")
    source_lang, target_lang = escape(str(record.get("source_lang"))), escape(str(record.get("target_lang")))
    head = f"<tr><th>¶</th><th>Source ({source_lang})</th><th>Translation ({target_lang})</th></tr>"
    return f'<table class="bisum-table bilingual">{head}{"".join(rows)}</table>'


def title_row(record: dict) -> str:
    """The bilingual view's first row: the title and its translation."""
    translated = record.get("title_translated")
    shown = f"<strong>{escape(translated)}</strong>" if translated else f'<span class="muted">{NO_TITLE}</span>'
    return (f"<tr class='title'><td class='num'>title</td><td><strong>{escape(record['title'])}</strong></td>"
            f"<td>{shown}</td></tr>")


def cleaned_html(record: dict) -> str:
    title = f"<h3>{escape(record['title'])}</h3>" if record.get("title") else ""
    return f'<div class="bisum-text cleaned">{title}{paragraphs_html(record.get("text") or "")}</div>'


def removed_html(record: dict) -> str:
    removed = record.get("removed") or []
    if not removed:
        return muted("Cleaning removed nothing.")
    rows = "".join(
        f"<tr{' class=instruction' if r['reason'] == INSTRUCTION else ''}><td>{escape(r['reason'])}</td>"
        f"<td class='num'>{r.get('line') or ''}</td><td>{escape(r['text'])}</td></tr>"
        for r in removed
    )
    return f'<table class="bisum-table removed"><tr><th>reason</th><th>line</th><th>removed text</th></tr>{rows}</table>'


# --- checks and flags ------------------------------------------------------------------------------


def failure_text(check: dict) -> str:
    """A "failed" check as one sentence that starts with "Translation failed" and gives the reason."""
    message = check["message"]
    if message.lower().startswith("translation failed"):
        return "T" + message[1:]
    return f"Translation failed: {message}"


def flag_lines(record: dict) -> list[str]:
    """What an editor must see first, as plain sentences: failed translations (one line per output) and
    removed instructions."""
    lines = []
    for field in dict.fromkeys(c.get("field") for c in failures(record)):
        failed = failures(record, field)
        count = f" ({plural(len(failed), 'paragraph')})" if field == "translation" else ""
        lines.append(f"{FAILED_FIELDS.get(field, str(field))}{count}: {failure_text(failed[0])}")
    lines += [f"Removed an instruction aimed at the model: {one_line(r['text'])}" for r in instructions(record)]
    return lines


def flags_html(record: dict) -> str:
    items = "".join(f"<li>{escape(line)}</li>" for line in flag_lines(record))
    return f'<ul class="bisum-flags" role="alert">{items}</ul>' if items else ""


def checks_html(record: dict, checked: bool) -> str:
    """The flags (always), then the table of the checks once they have run (failed translations are in the flags)."""
    flags = flags_html(record)
    checks = sorted((c for c in record.get("checks") or [] if c["type"] != "failed"),
                    key=lambda c: SEVERITY_ORDER.get(c["severity"], 3))
    if not checked:
        return LEGEND + flags + muted("The checks run after the summary and translation.")
    if not checks:
        return LEGEND + flags + ('<p class="ok">No problems found by the checks.</p>' if not flags else "")
    rows = "".join(_check_row(c) for c in checks)
    head = "<tr><th>severity</th><th>type</th><th>in</th><th>explanation</th><th>span</th><th>repair</th></tr>"
    return LEGEND + flags + f'<table class="bisum-table checks">{head}{rows}</table>'


def _check_row(c: dict) -> str:
    spans = " → ".join(escape(s) for s in (c.get("source_span"), c.get("target_span")) if s)
    repair = c.get("repair") or {}
    fixed = ("repaired" if repair.get("accepted") else "repair tried, kept original") if repair else ""
    return (
        f"<tr><td><mark class='flag {c['severity']}'>{escape(c['severity'])}</mark></td>"
        f"<td>{escape(c['type'])}</td><td>{escape(str(c.get('field') or ''))}</td>"
        f"<td>{escape(c['message'])}</td><td class='span'>{spans}</td><td>{fixed}</td></tr>"
    )


# --- details, scores, the article list, the status line ----------------------------------------------


def request_timings_md(timings: dict) -> str:
    """The request's model figures: time to first token, tokens/s, queue wait."""
    if not timings or not timings.get("tokens"):
        return "**Model output:** none generated"
    rate = f"{timings['tokens_per_s']:.1f} tokens/s" if timings.get("tokens_per_s") else "—"
    return (f"**Model output:** first token after {timings['first_token_s']:.2f} s · {timings['tokens']} tokens · "
            f"{rate} · waited {timings['queue_wait_s']:.2f} s for the model")


def details_md(record: dict, warnings: list[str], timings: dict | None = None) -> str:
    steps = ", ".join(f"{k} {v:.2f} s" for k, v in (record.get("timings") or {}).items())
    lines = [
        f"**Engine:** {record.get('engine') or '—'}  ",
        f"**Model:** {record.get('model') or 'none (extractive)'}  ",
        f"**Translation quality:** {record.get('quality') or '—'}  ",
        f"**Timings:** {steps or '—'}  ",
        request_timings_md(timings or {}) + "  ",
    ]
    lines += [f"**{key}:** {value}  " for key, value in (record.get("meta") or {}).items()]
    lines += [f"- note: {n}" for n in record.get("notes") or []]
    lines += [f"- warning: {w}" for w in warnings]
    return "\n".join(lines)


def scores_html(scores: dict) -> str:
    if not scores:
        return muted("Fill in a reference summary or translation to see ROUGE / chrF / BLEU against it.")
    parts = []
    for key, title in (("summary", "Summary vs reference"), ("translation", "Translation vs reference")):
        if key not in scores:
            continue
        block = scores[key]
        rows = "".join(
            f"<tr><td>{escape(name)}</td><td class='num'>{value:.2f}</td>"
            f"<td class='sig'>{escape(block['signature'].get(name, ''))}</td></tr>"
            for name, value in block["metrics"].items()
        )
        of = f" ({block['of']})" if block.get("of") else ""
        head = "<tr><th>metric</th><th>score</th><th>signature</th></tr>"
        parts.append(f"<h4>{title}{of}</h4><table class='bisum-table scores'>{head}{rows}</table>")
    parts += [muted(n) for n in scores.get("notes", [])]
    return "".join(parts)


def language_md(records: list[dict]) -> str:
    if not records:
        return ""
    langs: dict[str, int] = {}
    for r in records:
        label = f"{r.get('source_lang')}" + (f" ({r['script']})" if r.get("script") else "")
        langs[label] = langs.get(label, 0) + 1
    detected = next(iter(langs)) if len(langs) == 1 else ", ".join(f"{k} × {v}" for k, v in langs.items())
    return f"**Detected language:** {detected}  \n**{plural(len(records), 'article')}** found on this page"


def plural(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' if n != 1 else ''}"


def first_words(text: str, limit: int = 30) -> str:
    line = text.strip().split("\n", 1)[0]
    return line if len(line) <= limit else line[:limit] + "…"


def article_choices(records: list[dict]) -> list[tuple[str, int]]:
    return [(f"{i + 1}. {r.get('title') or first_words(r.get('text') or '')}", i) for i, r in enumerate(records)]


# --- Markdown --------------------------------------------------------------------------------------------


def record_markdown(record: dict, scores: dict | None = None) -> str:
    """One article's result as Markdown for an editor."""
    lines = [f"# {record.get('title') or record.get('id')}", ""]
    lines.append(f"- source: {record.get('source_file')} · id {record.get('id')} · language {record.get('source_lang')}")
    quality = f" · quality: {record['quality']}" if record.get("quality") else ""
    lines.append(f"- engine: {record.get('engine')} · model: {record.get('model') or '—'}{quality}")
    if record.get("error"):
        lines += ["", f"**Error:** {record['error']}"]
    lines += [f"- **{line}**" for line in flag_lines(record)]
    if record.get("summary"):
        lines += ["", "## Summary", "", record["summary"]]
    if record.get("summary_translated"):
        lines += ["", f"## Summary ({record.get('target_lang')})", "", record["summary_translated"]]
    if record.get("translation_pairs"):
        lines += ["", "## Translation (paragraph by paragraph)", ""]
        if record.get("title"):
            lines += [f"> **{record['title']}**", "", f"**{record.get('title_translated') or NO_TITLE}**", ""]
        for source, target in record["translation_pairs"]:
            lines += [f"> {source}", "", target or "*(translation failed)*", ""]
    lines += _checks_markdown(record.get("checks") or [])
    for key, block in (scores or {}).items():
        if key in ("summary", "translation"):
            metrics = ", ".join(f"{k} {v:.2f}" for k, v in block["metrics"].items())
            lines += ["", f"## Scores: {key} vs reference", "", metrics]
    if record.get("removed"):
        lines += ["", "## Removed during cleaning", ""]
        lines += [f"- {r['reason']}: {one_line(r['text'], 10_000)}" for r in record["removed"]]
    return "\n".join(lines).rstrip() + "\n"


def _checks_markdown(checks: list[dict]) -> list[str]:
    lines = ["", "## Checks", ""] if checks else []
    for c in checks:
        spans = " → ".join(f"`{s}`" for s in (c.get("source_span"), c.get("target_span")) if s and c["type"] != "failed")
        lines.append(f"- **{c['severity']}** {c['type']} ({c.get('field')}): {c['message']} {spans}".rstrip())
    return lines


def page_markdown(records: list[dict], scores: dict) -> str:
    """Every article of the page; the scores go with the first (the one they were computed for)."""
    return "\n\n".join(record_markdown(r, scores if i == 0 else None) for i, r in enumerate(records))
