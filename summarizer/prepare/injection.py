"""Find text in pasted pages that addresses a language model (prompt injection), so it can be cut before prompting.

Articles are data, never instructions. What is found, and how much goes:

* an aside inside a line — an HTML comment `<!-- … -->`, a bracket `(…)` `（…）` `[…]` `【…】`, a dash pair `— … —`
  — whose text addresses the model: only the aside goes, the sentence around it stays;
* a sentence that addresses the model (`instruction_cues.is_instruction`): that sentence goes, the others on its
  line stay (the whole line when little real text is left);
* a block: the sentences next to a found one that carry any cue ("Do not summarise the story above.", "Output
  instead:") join it, and so does the payload that a block member hands over (the line after "…:" / "the next
  line"; the lines up to a paragraph break close by); chat-template turns (`<|im_start|>system … <|im_end|>`,
  `[assistant] … [/assistant]`) go whole.

Matching runs on a normalised copy (NFKC, zero-width characters removed, spaces between CJK characters removed);
spans and removed pieces always refer to the original text. Pure stdlib.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from summarizer.prepare.instruction_cues import introduces_payload, is_cued, is_instruction, pattern_spans

__all__ = ["Instruction", "find_instructions", "strip_instructions", "blank_instructions", "normalize"]


@dataclass(frozen=True)
class Instruction:
    start: int  # index of the first line (0-based) in the list given
    end: int  # index one past the last line
    text: str  # the joined lines, as found
    spans: tuple[tuple[int, int, int], ...] = ()  # (line, from, to): the parts to remove
    removed: str = ""  # the removed parts, joined with "\n"


_ZW = re.compile("[\u00ad\u034f\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
_CJK = "\u2e80-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef"
_CJK_GAP = re.compile(f"(?<=[{_CJK}])\\s+(?=[{_CJK}])")
_END = re.compile(r"(?:[。！？!?；;]+|\.(?=[\s\"'”’」』)）]|$)|…+)[\"'”’」』)）\]]*\s*|\s*(?:——|\s[—|]\s|[｜丨])\s*")
# Asides inside a line: comments anywhere, brackets and dash pairs within one line.
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_ASIDES = re.compile(r"\([^()\n]{3,300}\)|（[^（）\n]{2,200}）|\[[^\[\]\n]{3,300}\]|【[^【】\n]{2,200}】|\{\{[^{}\n]{3,300}\}\}"
                     r"|(?<=\s)[—–]\s+[^—–\n]{4,200}?\s+[—–](?=\s)|——[^—\n]{2,150}?——")
_ASIDE_MARKS = re.compile(r"^[\s(（\[【{—–]+|[\s)）\]】}—–]+$")

# Chat-template tokens anywhere, role tags / instruction headings at the start of a line.
_TOKEN = re.compile(r"<\|[a-z_]{2,24}\|>|\[/?inst\]|<</?sys>>|<(?:start|end)_of_turn>|</?(?:system|assistant)>", re.I)
_TAGS = [_TOKEN, re.compile(
    r"^\s*[\[【(]?(?:system|assistant|user|human|系统|助手|用户|系统消息)[\]】)]?\s*:|^\s*\[/?(?:system|assistant|user)\]"
    r"|^\s*#{2,4}\s*(?:instructions?|system|response|input)\b|^\s*#\s*(?:instructions?|system)\s*:", re.I)]
_OPEN = re.compile(r"<\|im_start\|>|\[inst\]|<<sys>>|<\|(?:system|user)\|>|<start_of_turn>|\[(?:system|assistant)\]"
                   r"|<(?:system|assistant)>", re.I)
# A bare system/instruction tag ("<|im_start|>system", "### Instruction:"): the next line is its text.
_SYS_TURN = re.compile(r"^(?:<\|im_start\|>\s*system|<\|system\|>|<<sys>>|\[inst\]|#{1,4}\s*(?:instructions?|system)"
                       r"|[\[【]?(?:system|系统|assistant|助手)[\]】]?|system\s*prompt)\s*:?$", re.I)
_CLOSE = re.compile(r"<\|im_end\|>|\[/inst\]|<</sys>>|<\|end\|>|<end_of_turn>|\[/(?:system|assistant)\]"
                    r"|</(?:system|assistant)>", re.I)
# A flagged piece ending like this goes on in the next line ("reply only with:" / "HACKED").
_DANGLING = re.compile(r"(?:[:,、(“‘「『]|\b(?:with|and|or|the|phrase|word|words|following|say|is|be|as|to|then)"
                       r"|是|为|输出|回复|并|和|再|然后|只)\s*$", re.I)
_GROW_CHARS = 240  # a cued neighbour longer than this is article text, not part of a block
_PAYLOAD_LINES = 3  # lines handed over by "…:" when a paragraph break follows close by


def normalize(s: str) -> str:
    """NFKC, zero-width characters removed, no spaces between CJK characters, single spaces."""
    s = unicodedata.normalize("NFKC", _ZW.sub("", s))
    return re.sub(r"\s+", " ", _CJK_GAP.sub("", s)).strip()


def _pieces(line: str) -> list[tuple[int, int, str]]:
    """Sentences of a line as (from, to, normalised text); blank stretches (cut asides) are skipped."""
    out, a = [], 0
    for m in _END.finditer(line):
        if line[a:m.end()].strip():
            out.append((a, m.end()))
            a = m.end()
    if line[a:].strip():
        out.append((a, len(line)))
    return [(a, b, normalize(line[a:b])) for a, b in out]


def _is_tag(norm_line: str) -> bool:
    return any(rx.search(norm_line) for rx in _TAGS)


def _join(norms: list[str]) -> tuple[str, list[int]]:
    """Join normalised pieces (no space between CJK); returns the text and each piece's start."""
    text, starts = "", []
    for s in norms:
        if text and not (re.match(f"[{_CJK}]", s) and re.search(f"[{_CJK}]$", text)):
            text += " "
        starts.append(len(text))
        text += s
    return text, starts


def _asides(lines: list[str], seed: Callable[[str], bool]) -> dict[int, list[tuple[int, int]]]:
    """Spans of asides that address the model: HTML comments (always: a reader never sees them), brackets, dashes."""
    found: dict[int, list[tuple[int, int]]] = {}
    starts, pos = [], 0
    for line in lines:
        starts.append(pos)
        pos += len(line) + 1
    for m in _COMMENT.finditer("\n".join(lines)):
        for i, s in enumerate(starts):
            a, b = max(m.start(), s), min(m.end(), s + len(lines[i]))
            if a < b:
                found.setdefault(i, []).append((a - s, b - s))
    for i, line in enumerate(lines):
        for m in _ASIDES.finditer(line):
            inner = normalize(_ASIDE_MARKS.sub("", m.group()))
            if not any(a < m.end() and m.start() < b for a, b in found.get(i, ())) and seed(inner):
                found.setdefault(i, []).append(m.span())
    return found


def _mask(line: str, spans) -> str:
    for a, b in spans:
        line = line[:a] + " " * (b - a) + line[b:]
    return line


def _flag_windows(pieces: list[list], flags: list[set]) -> None:
    """Instructions split over 2-3 lines: a match crossing a line break flags every piece it touches."""
    for i in range(len(pieces) - 1):
        if not pieces[i] or not pieces[i + 1]:
            continue
        win = [(i, len(pieces[i]) - 1)]
        if len(pieces[i + 1]) == 1 and i + 2 < len(pieces) and pieces[i + 2]:
            win += [(i + 1, 0), (i + 2, 0)]
        else:
            win.append((i + 1, 0))
        text, starts = _join([pieces[j][k][2] for j, k in win])
        ends = starts[1:] + [len(text) + 1]
        for a, b in pattern_spans(text):
            touched = [n for n, (s, e) in enumerate(zip(starts, ends)) if a < e and b > s]
            if len({win[n][0] for n in touched}) > 1:
                for n in touched:
                    flags[win[n][0]].add(win[n][1])


def _flag_turns(lines: list[str], pieces: list[list], flags: list[set], whole: set) -> None:
    """Lines between chat-template open/close tokens, and the text line after a bare system tag."""
    for i, line in enumerate(lines):
        if _OPEN.search(line):
            close = next((j for j in range(i, min(i + 7, len(lines))) if _CLOSE.search(lines[j])), None)
            whole.update(range(i, close + 1) if close is not None else ())
    for i in range(len(lines) - 1):
        if (i in whole and pieces[i + 1] and _SYS_TURN.match(normalize(lines[i])) and len(pieces[i + 1]) <= 3
                and len(lines[i + 1]) <= 240):
            whole.add(i + 1)


def _grow(lines: list[str], pieces: list[list], flags: list[set], whole: set) -> None:
    """A found instruction takes in the cued sentences next to it and the payload it hands over."""
    seq = [(i, k) for i, p in enumerate(pieces) for k in range(len(p))]
    on = [k in flags[i] or i in whole for i, k in seq]
    text = [pieces[i][k][2] for i, k in seq]

    def near(n: int, m: int) -> bool:  # neighbours in reading order, at most one blank line apart
        (i, _), (j, _) = seq[n], seq[m]
        return abs(i - j) <= 1 or (abs(i - j) == 2 and not lines[min(i, j) + 1].strip())

    changed = True
    while changed:
        changed = False
        for n in range(len(seq)):
            if not on[n]:
                continue
            for m in (n - 1, n + 1):
                if 0 <= m < len(seq) and not on[m] and near(n, m) and len(text[m]) <= _GROW_CHARS and _joins(text[m]):
                    on[m] = changed = True
            if n + 1 < len(seq) and not on[n + 1] and seq[n + 1][0] - seq[n][0] <= 1 and _hands_over(text[n], seq[n][0] != seq[n + 1][0]):
                for m in _payload(lines, seq, n + 1):
                    on[m] = changed = True
        for n in range(1, len(seq) - 1):  # a short piece between two found ones belongs to them
            if not on[n] and on[n - 1] and on[n + 1] and len(text[n]) <= 160 and near(n - 1, n) and near(n, n + 1):
                on[n] = changed = True
    for (i, k), flagged in zip(seq, on):
        if flagged:
            flags[i].add(k)


def _joins(s: str) -> bool:
    """A neighbour that joins a found instruction: any cue, or a bare list marker ("1.", "-")."""
    return is_cued(s) or len(re.sub(r"[\W_]", "", s)) < 3


def _hands_over(s: str, next_line: bool) -> bool:
    opens = re.search(r"(?:^|[\s:：,，(])[\"']\s*$", s)  # an ASCII quote opened at the end
    return introduces_payload(s) or (next_line and (bool(_DANGLING.search(s)) or opens))


def _payload(lines: list[str], seq: list, first: int) -> list[int]:
    """Positions in seq of the payload starting at `first`: that sentence; when it opens a line, the lines up to a
    paragraph break within _PAYLOAD_LINES (else that line alone)."""
    i, k = seq[first]
    if len(normalize(lines[i])) > _GROW_CHARS * 2:
        return []
    if k > 0:
        return [first]
    stop = next((j for j in range(i + 1, min(i + _PAYLOAD_LINES + 1, len(lines))) if not lines[j].strip()), i + 1)
    if any(len(normalize(lines[j])) > _GROW_CHARS for j in range(i + 1, stop)):
        stop = i + 1
    return [n for n, (j, _) in enumerate(seq) if i <= j < stop]


def find_instructions(lines: list[str], seed: Callable[[str], bool] = is_instruction) -> list[Instruction]:
    """Spans of lines that address a language model rather than the reader. seed: what starts an instruction (a
    normalised sentence or aside); `instruction_cues.is_cued` finds suspect text, for choosing key sentences."""
    asides = _asides(lines, seed)
    masked = [_mask(line, asides.get(i, ())) for i, line in enumerate(lines)]
    pieces = [_pieces(m) if m.strip() or not line.strip() else [(0, len(line), normalize(line))]
              for line, m in zip(lines, masked)]
    flags = [{k for k, (_, _, s) in enumerate(p) if seed(s)} for p in pieces]
    whole = {i for i, line in enumerate(masked) if _is_tag(normalize(line))}
    whole |= {i for i in asides if _little_left(pieces[i], set())}
    _flag_windows(pieces, flags)
    _flag_turns(lines, pieces, flags, whole)
    _grow(lines, pieces, flags, whole)
    spans = {i: _line_spans(masked[i], pieces[i], flags[i], i in whole, asides.get(i, []))
             for i in range(len(lines)) if flags[i] or i in whole or i in asides}
    out, run = [], []
    for i in sorted(spans) + [None]:
        if run and (i is None or i != run[-1] + 1):
            sp = tuple((j, a, b) for j in run for a, b in spans[j])
            out.append(Instruction(run[0], run[-1] + 1, "\n".join(lines[run[0]:run[-1] + 1]), sp,
                                   "\n".join(lines[j][a:b].strip() for j, a, b in sp)))
            run = []
        if i is not None:
            run.append(i)
    return out


def _little_left(pieces: list, flagged: set) -> bool:
    rest = "".join(s for k, (_, _, s) in enumerate(pieces) if k not in flagged)
    return len(re.sub(r"[\W_]", "", rest)) < 6


def _line_spans(line: str, pieces: list, flagged: set, whole: bool, asides: list) -> list[tuple[int, int]]:
    """Character spans to remove from one line; the whole line when little real text is left."""
    if flagged:  # a short piece between two flagged ones belongs to the instruction
        flagged = flagged | {k for k in range(min(flagged), max(flagged)) if len(pieces[k][2]) <= 30}
    if whole or _little_left(pieces, flagged):
        return [(0, len(line))]
    spans: list[tuple[int, int]] = []
    for a, b in sorted([pieces[k][:2] for k in flagged] + list(asides)):
        if spans and spans[-1][1] >= a - 1 and not line[spans[-1][1]:a].strip():
            spans[-1] = (spans[-1][0], max(b, spans[-1][1]))
        else:
            spans.append((a, b))
    return spans


_TIGHT_BEFORE = re.compile(r"^[,.;:!?，。；：！？、)）\]】%]")


def _cut(line: str, spans: list[tuple[int, int]]) -> str:
    """The line without the given spans, keeping its indentation; '' when nothing real is left."""
    parts, pos = [], 0
    for a, b in sorted(spans):
        parts.append(line[pos:a].strip())
        pos = b
    parts.append(line[pos:].strip())
    parts = [p for p in parts if p]
    if not parts:
        return ""
    text = parts[0]
    for p in parts[1:]:
        cjk = re.search(f"[{_CJK}]$", text) and re.match(f"[{_CJK}]", p)
        text += p if cjk or _TIGHT_BEFORE.match(p) else " " + p
    text = re.sub(r"\s*(?:——|[—|｜丨])$", "", text)
    if max(b for _, b in spans) >= len(line.rstrip()):  # cut at the end: close the sentence it left open
        text = re.sub(r"\s*[;；,，:：]$", lambda m: "。" if re.search(f"[{_CJK}]$", text[:m.start()]) else ".", text)
    return line[:len(line) - len(line.lstrip())] + text


def blank_instructions(lines: list[str], seed: Callable[[str], bool] = is_instruction) -> tuple[list[str], list[Instruction]]:
    """The lines with every instruction cut out (a line left with nothing becomes ""), same count and order."""
    found = find_instructions(lines, seed)
    cut: dict[int, list[tuple[int, int]]] = {}
    for ins in found:
        for i, a, b in ins.spans:
            cut.setdefault(i, []).append((a, b))
    kept = [_cut(line, cut[i]) if i in cut else line for i, line in enumerate(lines)]
    return [line if line.strip() else "" for line in kept], found


def strip_instructions(text: str, seed: Callable[[str], bool] = is_instruction) -> tuple[str, list[str]]:
    """(text without the instruction lines, the removed pieces). Lines are split on '\\n'.
    Paragraph structure of what remains is kept: no doubled blank line is left where a line went."""
    lines = text.split("\n")
    kept, found = blank_instructions(lines, seed)
    out: list[str] = []
    gap = False  # a line was just removed
    for original, line in zip(lines, kept):
        if original.strip() and not line:
            gap = True
            continue
        if gap and not line.strip() and (not out or not out[-1].strip()):
            continue
        gap = False
        out.append(line)
    if lines and kept[-1] != lines[-1]:
        while out and not out[-1].strip():
            out.pop()
    return "\n".join(out), [ins.removed for ins in found]
