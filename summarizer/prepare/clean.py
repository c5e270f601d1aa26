"""Clean: normalize Unicode, drop page chrome and spam, repair broken line wraps. Every removal is recorded."""
from __future__ import annotations

import re
import unicodedata

from summarizer.document import Document, Removal
from summarizer.prepare.injection import blank_instructions
from summarizer.text.lang import HAN_CLASS

# --- characters -----------------------------------------------------------------------------------
_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[@-_]")
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SPACES = re.compile(r"[\u00a0\u2000-\u200a\u202f\u205f\u3000\t]")
# Full-width CJK punctuation is kept as is: NFKC would turn ，：；（） into ASCII and change Chinese typography.
_KEEP_WIDE = set("，：；（）！？［］｛｝～＂＇＃＆＊＋－／＜＝＞＠＼＾＿｀｜")


def _nfkc_safe(text: str) -> str:
    """NFKC except for full-width punctuation: full-width letters/digits and ligatures become plain."""
    if text.isascii():
        return text
    return "".join(ch if ch in _KEEP_WIDE else unicodedata.normalize("NFKC", ch) for ch in text)


def normalize_characters(text: str, removed: list[Removal]) -> str:
    counts = {}
    for name, pattern, repl in (
        ("ansi-escape", _ANSI, ""),
        ("invisible-character", _INVISIBLE, ""),
        ("control-character", _CONTROL, ""),
    ):
        text, n = pattern.subn(repl, text)
        if n:
            counts[name] = n
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _SPACES.sub(" ", text)
    text = _nfkc_safe(text)
    if "\ufffd" in text:
        counts["replacement-character"] = text.count("\ufffd")
        text = text.replace("\ufffd", "")
    for reason, n in counts.items():
        removed.append(Removal(reason, f"{n} character(s)"))
    return text


# --- page chrome ------------------------------------------------------------------------------------
def _rx(*patterns: str) -> re.Pattern:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.I)


LINE_RULES: list[tuple[str, re.Pattern]] = [
    ("share-widget", _rx(
        r"^点击右上角.{0,12}(分享|好友)", r"^(微信)?朋友圈$", r"^请使用浏览器(的)?分享功能.*", r"^分享到[:：]?.{0,30}$",
        r"^(share|share\s*-\s*\w+|share this( article)?|tweet|facebook|linkedin|wechat|weibo|email|print)$",
        r"^(微信|微博|QQ空间|QQ好友|扫一扫|扫码)(分享)?$", r"^follow us$", r"^(收藏|打印|关闭|字号|【?打印本页】?|【?关闭窗口】?)$",
    )),
    ("navigation", _rx(
        r"^正在阅读[:：]", r"^(首页|当前位置[:：]?|您的位置[:：]?)\s*[>＞›»]", r"^.{0,12}[>＞›»].{0,20}[>＞›»]\s*正文$",
        r"^(\d+\s+){1,20}next\s*>*\|?$", r"^(next|previous|prev)\s*>*\|?$", r"^(top|back to the top|返回顶部|回到顶部)$",
        r"^(english|中文|繁體|简体)$", r"^阅读剩余全文.{0,4}$", r"^(加载更多|查看更多|点击查看|展开全文|更多>+)$",
        r"^(上一篇|下一篇)[:：]", r"^(责任编辑|编辑|责编)[:：].{0,20}$", r"^【?纠错】?$",
    )),
    ("emoji-vote", _rx(r"^您此时的心情$", r"^新闻表情排行\s*/?$", r"^光明云投$", r"^(开心|难过|点赞|飘过|愤怒|搞笑|震惊|同情)$", r"^\d{1,6}$")),
    ("copyright-footer", _rx(
        r"^(copyright|©)\s*(©|\(c\))?\s*\d{0,4}\b", r"all rights reserved", r"^版权所有", r"版权所有.{0,20}(不得|禁止|转载)",
        r"^license for publishing", r"^registration number[:：]", r"^note: browsers with", r"ICP备\d+", r"^(京|沪|粤)公网安备",
        r"未经(书面)?(授权|许可).{0,20}(不得|禁止).{0,10}转载", r"^(本网站|本站)所刊登.{0,40}版权",
    )),
    ("timestamp", _rx(r"^\d{4}[-/.]\d{1,2}[-/.]\d{1,2}(\s+\d{1,2}:\d{2}(:\d{2})?)?$")),
]
# A heading after which the page shows only teaser lists; everything from it on is dropped.
TAIL_MARKERS = _rx(
    r"^(推荐阅读|相关阅读|相关报告|相关新闻|相关文章|延伸阅读|猜你喜欢|热点推荐|热门推荐|精彩推荐|视觉焦点|独家策划|图片推荐|热点新闻|更多新闻)[:：]?$",
    r"^(related (stories|articles|news|reading)|more from|recommended( for you)?|you may also like|most (read|popular|viewed))$",
)
# A boxed pull-quote that repeats article text; the box heading and the paragraph after it are dropped.
PULL_QUOTE = _rx(r"^(核心阅读|阅读提示|导读|内容提要|编者按)[:：]?$")
_SPAM_WORDS = _rx(r"无码|毛片|人妻|乱码|午夜|成人(免费|视频|网站)|a片|av|色情|国产精品|一区二区|中文字幕|黄色(视频|网站)|porn|xxx|sex|casino|博彩|赌场|棋牌|彩票")


def spam_or_link_list(line: str) -> str | None:
    """'spam-links' for injected keyword spam joined by | or 丨; 'link-list' for a plain list of links."""
    items = [x for x in re.split(r"\s*[|｜丨]\s*", line) if x.strip()]
    if len(items) < 5 or sum(len(x) for x in items) / len(items) > 40:
        return None
    spammy = sum(1 for x in items if _SPAM_WORDS.search(x))
    if spammy >= max(2, len(items) // 4):
        return "spam-links"
    if not re.search(r"[。！？.!?]\s*$", line) and sum(1 for x in items if len(x) < 25) >= len(items) * 0.8:
        return "link-list"
    return None


def drop_chrome(lines: list[str], removed: list[Removal]) -> list[str]:
    kept: list[str] = []
    i = 0
    while i < len(lines):
        raw = lines[i]
        line = raw.strip()
        stripped_bullet = re.sub(r"^[•·●▪■◆►\-–—*]\s*", "", line)
        if not line:
            kept.append("")
            i += 1
            continue
        if TAIL_MARKERS.match(stripped_bullet):
            stop = _tail_end(lines, i)
            removed.append(Removal("related-list", "\n".join(ln.strip() for ln in lines[i:stop] if ln.strip())[:4000], i + 1))
            i = stop
            continue
        if PULL_QUOTE.match(line):
            j = i + 1
            while j < len(lines) and not lines[j].strip():
                j += 1
            removed.append(Removal("pull-quote", "\n".join(x.strip() for x in lines[i : j + 1] if x.strip()), i + 1))
            i = j + 1
            continue
        reason = next((name for name, rx in LINE_RULES if rx.search(stripped_bullet) and len(line) < 400), None)
        if reason is None:
            reason = spam_or_link_list(line)
        if reason:
            removed.append(Removal(reason, line, i + 1))
        else:
            kept.append(raw.rstrip())
        i += 1
    return kept


_NEW_ARTICLE = re.compile(r"^(本报讯|【[^】]{2,60}】|By [A-Z][\w .'-]+\s*\|)")


def _tail_end(lines: list[str], start: int) -> int:
    """The related-list block runs to the end of the page unless a new article clearly starts."""
    for j in range(start + 1, len(lines)):
        if _NEW_ARTICLE.match(lines[j].strip()):
            return j
    return len(lines)


# --- broken line wraps ------------------------------------------------------------------------------
_SENTENCE_END = re.compile(r"[。！？!?…”」』)）\]】:：；;.\"'»]$")
_OPEN_CLOSE = {"《": "》", "“": "”", "（": "）", "(": ")", "「": "」"}


def _unbalanced(text: str) -> bool:
    return any(text.count(o) > text.count(c) for o, c in _OPEN_CLOSE.items())


def join_broken_wraps(paragraphs: list[str], removed: list[Removal]) -> list[str]:
    """Join a paragraph cut mid-word or mid-sentence (e.g. «…打击商» + «标恶意注册…») with the next one."""
    out: list[str] = []
    for para in paragraphs:
        if out and _is_continuation(out[-1], para):
            prev = out.pop()
            cjk_join = re.search(f"[{HAN_CLASS}0-9%《“(（，、]$", prev) or re.match(f"^[{HAN_CLASS}0-9%》”)）]", para)
            if prev.endswith("-") and re.match(r"^[a-z]", para):
                joined = prev[:-1] + para
            else:
                joined = prev + ("" if cjk_join else " ") + para
            removed.append(Removal("line-break-repaired", f"{prev[-12:]} ⏎ {para[:12]}"))
            out.append(joined)
        else:
            out.append(para)
    return out


# Lines that end a unit on their own: bylines, source/date lines, figure captions, photo credits.
_NEVER_CONTINUED = re.compile(
    r"^([•·●▪□■]|By [A-Z]|图\s*\d+|图为|(来源|发布时间|编译者|作者|责任编辑|原文来源|来源专题)[:：])|\s\S{1,12}\s*摄$|[(（]作者.{0,40}[)）]$"
)
_NEVER_CONTINUES = re.compile(r"^([•·●▪□■【\[(（]|本报讯|本报记者|新华社|记者|By [A-Z]|图\s*\d+|图为)")


def _is_continuation(prev: str, nxt: str) -> bool:
    if _SENTENCE_END.search(prev) or _NEVER_CONTINUED.search(prev) or _NEVER_CONTINUES.match(nxt):
        return False
    if len(nxt) < 40 and not _SENTENCE_END.search(nxt):  # a short unpunctuated line is a heading, not a tail
        return False
    long_enough = len(prev) >= 30 or _unbalanced(prev) or re.search(r"[，,；、]", prev)
    if not long_enough:
        return False
    if re.match(f"^[{HAN_CLASS}0-9%》”)）、，,]", nxt):  # Chinese continues mid-sentence
        return bool(re.search(f"[{HAN_CLASS}0-9《“(（，,、]$", prev))
    return bool(re.match(r"^[a-z]", nxt))  # English continues with a lower-case word


def clean_text(text: str) -> tuple[str, list[Removal]]:
    """The cleaned body (paragraphs separated by blank lines) and what was removed, with reasons."""
    removed: list[Removal] = []
    text = normalize_characters(text, removed)
    lines, instructions = blank_instructions(text.split("\n"))
    removed += [Removal("instruction", ins.removed or ins.text, ins.start + 1) for ins in instructions]
    lines = drop_chrome(lines, removed)
    paragraphs = [re.sub(r"[ ]{2,}", " ", p.strip()) for p in lines if p.strip()]
    paragraphs = join_broken_wraps(paragraphs, removed)
    return "\n\n".join(paragraphs), removed


def clean_document(doc: Document) -> Document:
    doc.text, doc.removed = clean_text(doc.raw_text)
    return doc
