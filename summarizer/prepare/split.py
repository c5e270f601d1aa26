"""Split: find the articles in a cleaned page, give each a title, move bylines and captions to metadata."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from summarizer.document import Article, Document, Removal
from summarizer.text.lang import HAN, han_count

_TERMINAL = re.compile(r"[。！？!?…；;.]([”’」』\"')）]*)$")
_BRIEF = re.compile(r"^【([^】]{2,80})】\s*(.*)$", re.S)
_DATELINE = re.compile(
    r"^(本报讯|本报(北京|上海|广州|深圳)?\S{0,6}电|新华社\S{0,12}电|中新网\S{0,12}电|据新华社|[A-Z][A-Z .]{2,30}, \w+ \d{1,2} \([\w ]+\) ?[-–—])"
)
_BYLINE = re.compile(
    r"^(□\s*.{1,30}|■\s*.{1,30}|(本报)?记者\s*\S{2,12}(\s+(通讯员|实习生)\s*\S{2,12})*|By [A-Z][\w .'-]{1,60}(\|.*)?|作者[:：].{1,30})$"
)
_META_LINE = re.compile(
    r"^[•·]?\s*(来源专题|编译者|发布时间|原文来源|来源|作者|日期|时间|Updated|Published|Source)\s*[:：]\s*(.+)$", re.I
)
_AUTHOR_NOTE = re.compile(r"^[(（](作者|作者系|本文作者).{1,80}[)）]$")
_CAPTION = re.compile(r"^(图\s*\d+[\s:：.、]|图为|图片来源|（?图/|\(?photo[: ])|\s\S{0,10}\s*\S{2,4}\s*摄[)）]?$", re.I)
_PHOTO_CREDIT = re.compile(r"\s(本报)?(通讯员|记者)?\s*\S{2,4}\s*摄[)）]?$")
_SOURCE_SUFFIX = re.compile(r"[(（]来源[:：]\s*([^()（）]{1,40})[)）]\s*$")
_KICKER = re.compile(r"^(聚焦|关注|——|—|专题[:：]|特稿)")
_META_KEYS = {"来源专题": "topic", "编译者": "compiler", "发布时间": "date", "原文来源": "source_url", "来源": "source",
              "作者": "author", "日期": "date", "时间": "date", "updated": "date", "published": "date", "source": "source"}


def is_heading(para: str) -> bool:
    """Short and unpunctuated: a title, subtitle, kicker, section head or column label."""
    if _TERMINAL.search(para) or _BYLINE.match(para) or _META_LINE.match(para) or _CAPTION.search(para):
        return False
    cjk = han_count(para)
    if cjk >= len(para) * 0.3:
        return len(para) <= 60 and para.count("，") <= 1
    return len(para) <= 130 and len(para.split()) <= 18 and not para.endswith(",")


@dataclass
class _Draft:
    headings: list[str] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)
    meta: dict = field(default_factory=dict)
    removed: list[Removal] = field(default_factory=list)

    def add_meta(self, key: str, value: str) -> None:
        value = value.strip()
        if key in {"caption", "byline", "section"}:
            self.meta.setdefault(key + "s", []).append(value)
        else:
            self.meta.setdefault(key, value)


def _title_from(headings: list[str], meta: dict) -> str | None:
    lines = []
    for h in headings:
        if len(h) <= 6 and HAN.search(h):
            meta.setdefault("column", h)  # e.g. 慧眼观察
        else:
            lines.append(h)
    if not lines:
        return None
    if len(lines) >= 3:
        meta["kicker"], meta["subtitle"] = lines[0], " / ".join(lines[2:])
        return lines[1]
    if len(lines) == 2 and _KICKER.match(lines[0]):
        meta["kicker"] = lines[0]
        return lines[1]
    if len(lines) == 2:
        meta["subtitle"] = lines[1]
    return lines[0]


def _strip_title(title: str | None) -> str | None:
    if title and title.startswith("《") and title.endswith("》") and title.count("《") == 1:
        return title[1:-1]
    return title


def _route_meta(para: str, draft: _Draft) -> bool:
    """Move a byline, source/date line, author note or figure caption into metadata. True if moved."""
    m = _META_LINE.match(para)
    if m and (len(para) < 120 or m.group(1) in {"原文来源"}):
        key, value = _META_KEYS.get(m.group(1).lower(), m.group(1).lower()), m.group(2).strip()
        stamp = re.search(r"\s*(\d{4}-\d{1,2}-\d{1,2}(\s+\d{1,2}:\d{2})?)$", value)
        if stamp and key != "date":  # '来源:工信部电子知识产权中心2024-04-12 13:36'
            draft.add_meta("date", stamp.group(1))
            value = value[: stamp.start()]
        draft.add_meta(key, value)
        return True
    if _BYLINE.match(para) or _AUTHOR_NOTE.match(para):
        draft.add_meta("byline", para.lstrip("□■ ").strip("()（）"))
        return True
    if _CAPTION.search(para) and len(para) < 200:
        draft.add_meta("caption", para)
        return True
    return False


def _split_dateline(para: str, draft: _Draft) -> str:
    """'本报讯 记者刘欣 2024年…' -> body '2024年…', with dateline and byline kept as metadata."""
    m = re.match(r"^(本报讯)\s+((记者|通讯员)\s*\S{2,4}(\s+(记者|通讯员)\s*\S{2,4})*)\s+", para)
    if m:
        draft.add_meta("dateline", m.group(1))
        draft.add_meta("byline", m.group(2))
        return para[m.end():]
    return para


def _briefs(paragraphs: list[str], page_meta: dict) -> list[_Draft]:
    drafts: list[_Draft] = []
    section = None
    for para in paragraphs:
        m = _BRIEF.match(para)
        if m:
            draft = _Draft(headings=[m.group(1).strip()], meta=dict(page_meta))
            body = m.group(2).strip()
            src = _SOURCE_SUFFIX.search(body)
            if src:
                draft.add_meta("source", src.group(1))
                body = body[: src.start()].rstrip()
            if section:
                draft.meta["section"] = section
            draft.paragraphs.append(body)
            drafts.append(draft)
        elif is_heading(para):
            section = para
        elif drafts:
            drafts[-1].paragraphs.append(para)
    return drafts


def _article_starts(paragraphs: list[str]) -> set[int]:
    """Indexes where a new article begins: a heading group followed by a byline or dateline."""
    starts: set[int] = set()
    i = 0
    while i < len(paragraphs):
        if is_heading(paragraphs[i]):
            j = i
            while j < len(paragraphs) and is_heading(paragraphs[j]):
                j += 1
            nxt = paragraphs[j] if j < len(paragraphs) else ""
            if i == 0 or _BYLINE.match(nxt) or _DATELINE.match(nxt) or _META_LINE.match(nxt) or (j - i >= 2 and i > 0):
                starts.add(i)
            i = j
        else:
            i += 1
    return starts


def _articles(paragraphs: list[str], page_meta: dict) -> list[_Draft]:
    starts = _article_starts(paragraphs)
    drafts: list[_Draft] = [_Draft(meta=dict(page_meta))]
    in_headings = False
    for i, para in enumerate(paragraphs):
        para = re.sub(r"^[•·●▪]\s*", "", para) if not _META_LINE.match(para) else para
        if i in starts:
            if drafts[-1].paragraphs or drafts[-1].headings:
                drafts.append(_Draft(meta=dict(page_meta)))
            in_headings = True
        draft = drafts[-1]
        if in_headings and is_heading(para):
            draft.headings.append(para)
            continue
        in_headings = False
        credit = _PHOTO_CREDIT.search(para)
        if credit and len(para) >= 60 and (i + 1) in starts:  # a photo with its own news caption
            photo = _Draft(meta=dict(page_meta, kind="photo", photo_credit=credit.group(0).strip()))
            photo.paragraphs.append(para[: credit.start()].strip())
            drafts.append(photo)
            continue
        if _route_meta(para, draft):
            continue
        draft.paragraphs.append(_split_dateline(para, draft))
    kept = [d for d in drafts if d.paragraphs]
    if not kept and paragraphs:  # headings only: the page is one short text without a body
        return [_Draft(paragraphs=list(paragraphs), meta=dict(page_meta))]
    return kept


def split_document(doc: Document) -> list[Article]:
    paragraphs = [p for p in doc.text.split("\n\n") if p.strip()]
    page_meta = {k: v for k, v in doc.meta.items() if k in {"date", "url", "sitename", "author"}}
    if sum(1 for p in paragraphs if _BRIEF.match(p)) >= 2:
        drafts = _briefs(paragraphs, page_meta)
    else:
        drafts = _articles(paragraphs, page_meta)
    # page-level meta lines (e.g. a date above a brief list) belong to every article of the page
    leading = _Draft()
    for p in paragraphs:
        if _BRIEF.match(p) or not _route_meta(p, leading):
            break
    articles: list[Article] = []
    for n, draft in enumerate(drafts, 1):
        meta = {**{k: v for k, v in leading.meta.items() if k not in draft.meta}, **draft.meta}
        title = _strip_title(_title_from(draft.headings, meta))
        if title is None and len(drafts) == 1:
            title = doc.meta.get("title")
        article_id = doc.id if len(drafts) == 1 else f"{doc.id}#{n}"
        text = "\n\n".join(draft.paragraphs)
        articles.append(Article(
            id=article_id, source_file=doc.source_file, title=title, text=text, paragraphs=list(draft.paragraphs),
            removed=list(doc.removed), meta=meta,
        ))
    return articles
