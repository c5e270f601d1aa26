"""The English forms a correct translation may use for a rendering, and whether a translation has one of them.

"United States" may be written US, U.S., USA, America or American; "Turkey" Turkish; "Islamic State" ISIS, ISIL or
Daesh; "Democratic Party" Democrats; "Ministry of Defense" Defense Minister; "Donald Trump" Trump; "China-Russia"
China ... Russia; "Rome" Roman, "Christianity" Christian, "Java" Javanese, "Arab" Arabs (derived words, by
rule). Matching ignores case (except for acronyms: US is not "us"), accents (Erdoğan, Ürümqi),
hyphens and British spellings (Organisation, Defence).
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from summarizer.terms.places import demonyms
from summarizer.terms.romanize import COMPANY_SUFFIXES, ORG_SUFFIXES, PLACE_UNITS

# Words inside a rendering -> words a translation may use instead: the adjectives and demonyms of countries, regions
# and cities come from summarizer/data/places.tsv (France -> French); a few other short names are here.
ALIASES: dict[str, tuple[str, ...]] = {
    **demonyms(),
    "USA": ("US", "U.S.", "United States", "America", "American"), "Uighur": ("Uygur", "Uyghur"),
    "People's Republic of China": ("PRC", "China"), "Foreign Affairs": ("Foreign",), "Holland": ("Netherlands", "Dutch"),
    "Serb": ("Serbian",), "Mt ": ("Mount ",), "Saint ": ("St. ", "St "), "St ": ("Saint ", "St. "),
    "Commonwealth of Australia": ("Australia",),
}
for _place, _words in list(ALIASES.items()):  # "Chinese" (中国人) may be written China
    for _word in _words:
        if _place[:1].isupper() and _word.istitle() and " " not in _place + _word and _word not in ALIASES:
            ALIASES[_word] = (_place,)
# Whole renderings -> the short forms and other names news uses for them.
SHORT_FORMS: dict[str, tuple[str, ...]] = {
    "Islamic State": ("ISIS", "ISIL", "IS", "Daesh"), "Olympic Committee": ("IOC", "USOC"),
    "Federal Bureau of Investigation": ("FBI",), "Central Intelligence Agency": ("CIA",),
    "National Aeronautics and Space Administration": ("NASA",),
    "US National Aeronautics and Space Administration": ("NASA",), "United Nations": ("UN", "U.N."),
    "World Health Organization": ("WHO",), "European Union": ("EU", "E.U."), "World Trade Organization": ("WTO",),
    "International Monetary Fund": ("IMF",), "World War One": ("First World War", "World War I", "WWI"),
    "World War Two": ("Second World War", "World War II", "WWII"),
    "World War II": ("Second World War", "World War 2", "WWII"), "World War I": ("First World War", "WWI"),
    "Democratic Party": ("Democrats", "Democrat"), "Republican Party": ("Republicans", "Republican", "GOP"),
    "Central Committee of the CCP": ("CPC Central Committee", "CCP Central Committee", "Party Central Committee"),
    "British Commonwealth of Nations": ("Commonwealth",),
    "Eastern Orthodox Church": ("Orthodox Church", "Orthodox Christian", "Orthodox Christianity", "Orthodox"),
    "Barca": ("Barcelona",), "La Liga": ("Primera Division", "Spanish league"), "Kunqu": ("Kun Opera", "Kunqu Opera"),
    "Terracotta Warriors": ("Terracotta Army", "terracotta figures", "terracotta soldiers", "terracotta statues"),
    "Xinhua News Agency": ("Xinhua",), "China News Service": ("CNS", "ECNS", "China News"),
    "China News": ("ECNS", "China News Service", "chinanews"), "Cathay Dragon": ("Dragonair",),
    "People's Liberation Army": ("PLA",), "Palestinian National Authority": ("Palestinian Authority", "PA", "PNA"),
    "Defense Department": ("Ministry of Defense", "Defense Ministry", "Defense Minister", "Department of Defense"),
    "Ministry of Internal Affairs": ("Interior Ministry", "Ministry of the Interior", "Interior Minister",
                                     "Department of the Interior"),
}
# English unit words a translation may leave out ("Liwan" for Liwan District, "Pacific" for Pacific Ocean).
OPTIONAL_WORDS = {w for w in PLACE_UNITS.values() if w} | {ORG_SUFFIXES[s] for s in COMPANY_SUFFIXES} | {
    "City", "Station", "Company", "Inc.", "Corporation", "Ltd.", "Limited", "Ocean", "Sea", "River", "Lake",
    "Islands", "Island", "Harbor", "Port", "News Agency", "Agency"}
_OPTIONAL_TAIL = re.compile(r"(?: (?:" + "|".join(map(re.escape, OPTIONAL_WORDS)) + r"))+$")
_COUNTRY_PREFIX = re.compile(r"^(?:PRC|US|UK|China's) (?=[A-Z])")  # "PRC National Development and Reform ..."
_WHERE = re.compile(r" (?:on|in) (?:the )?[A-Z].*$")  # "Three Gorges on the Chang Jiang", "Gwadar Port on ..."
_BRITISH = ((r"isation", "ization"), (r"\bdefence\b", "defense"), (r"\bcentre\b", "center"),
            (r"\borganis", "organiz"), (r"\bprogramme\b", "program"),
            (r"\bharbour\b", "harbor"))
_ENDINGS = ("ity", "ium", "um", "ia", "ey", "en", "a", "e", "y", "o")
_DERIVED = r"(?:s|n|ns|an|ans|ian|ians|ine|ines|ese|ish|ic|ics|i|is|ite|ites|nese)?"
_ACRONYM = re.compile(r"(?:[A-Z]\.?){2,6}")


def english_forms(renderings: Iterable[str]) -> set[str]:
    """Every form a translation may use for any of `renderings` (see the module docstring)."""
    forms = {r for r in renderings if r}
    for form in list(forms):
        forms.add(re.sub(r"\s*\(([^()]*)\)", "", form))  # "World ... Organization (WIPO)" -> both halves
        forms.update(re.findall(r"\(([^()]*)\)", form))
        lead = form.split(", ", 1)[0]
        if lead != form and _ACRONYM.fullmatch(lead):  # "UNESCO, United Nations Educational, ..."
            forms.update((lead, form.split(", ", 1)[1]))
    for form in list(forms):
        forms.update((_COUNTRY_PREFIX.sub("", form), _WHERE.sub("", form)))
        mount = re.fullmatch(r"Mt\.? (.+)", form)  # "Mt Wuyi": Mount Wuyi, Wuyi Mountain(s)
        if mount:
            forms.update(f"{mount.group(1)} {w}" for w in ("Mountain", "Mountains", "Shan"))
    for form in list(forms):
        forms.add(_OPTIONAL_TAIL.sub("", form))
        ministry = re.fullmatch(r"Ministry of (.+)", form)  # 外交部副部长 -> "Vice Foreign Minister"
        if ministry:
            forms.update(f"{ministry.group(1)} {w}" for w in ("Ministry", "Minister"))
    for form in list(forms):
        forms.update(SHORT_FORMS.get(form, ()))
    for form in list(forms):
        forms.update(form.replace(word, a) for word, aliases in ALIASES.items() if word in form for a in aliases)
    return {f.strip() for f in forms if f.strip()}


def fold(text: str) -> str:
    """Accents off (Erdoğan -> Erdogan, Ürümqi -> Urumqi), curly apostrophes straight."""
    text = unicodedata.normalize("NFKD", text.replace("’", "'"))
    return "".join(c for c in text if not unicodedata.combining(c))


def norm(text: str) -> str:
    text = re.sub(r"\s+", " ", re.sub(r"[-‐–—]", " ", fold(text))).lower()
    for british, american in _BRITISH:
        text = re.sub(british, american, text)
    return text


def present(form: str, english: str) -> bool:
    """`form` occurs in `english`: acronyms as whole words in their case, short forms as whole words."""
    if _ACRONYM.fullmatch(form):
        return re.search(rf"(?<![A-Za-z.]){re.escape(form)}(?![A-Za-z])", fold(english)) is not None
    f, e = norm(form), norm(english)
    if len(f) < 5:
        return re.search(rf"(?<![a-z]){re.escape(f)}(?![a-z])", e) is not None
    squash = re.compile(r"[^a-z0-9]")
    return f in e or f.replace("'", "") in e.replace("'", "") or squash.sub("", f) in squash.sub("", e)


def derived_present(form: str, english: str) -> bool:
    """A word derived from a one-word name, capitalised as proper adjectives and plurals are: Roman (Rome),
    Christian (Christianity), Javanese (Java), Swedish (Sweden), Arabs (Arab)."""
    word = fold(form)
    if not re.fullmatch(r"[A-Z][a-z]{2,}", word):
        return False
    stems = {word} | {word[: -len(e)] for e in _ENDINGS if word.endswith(e) and len(word) - len(e) >= 3}
    pattern = r"(?<![A-Za-z])(?:" + "|".join(map(re.escape, stems)) + ")" + _DERIVED + r"(?![A-Za-z])"
    return re.search(pattern, fold(english)) is not None


def any_present(forms: Iterable[str], english: str) -> bool:
    return any(present(form, english) or derived_present(form, english) for form in forms)


def parts_present(rendering: str, english: str) -> bool:
    """A pair or list of places, each part in any of its forms: "China-Russia" in "China and Russia", "Shenzhen and
    Hong Kong" in "Shenzhen-Hong Kong"."""
    parts = re.split(r"-|, | and ", rendering)
    if len(parts) < 2 or not all(p[:1].isupper() and len(p.split()) <= 2 for p in parts):
        return False
    return all(any_present(english_forms([p]), english) for p in parts)


def surname_present(rendering: str, english: str, chinese_order: bool) -> bool:
    """A person by surname alone, as news does after the first mention: "Hu said" for Hu Jintao, "Trump" for Donald
    Trump. A Chinese surname must stand alone: "Ma Chaoxu" is a wrong Ma Zhaoxu, not a short form."""
    words = fold(rendering).split()
    if len(words) < 2:
        return False
    text = fold(english)
    if chinese_order:
        sur = re.escape(words[0])
        alone = re.search(rf"(?<![A-Za-z]){sur}(?![A-Za-z])(?!\s+[A-Z])", text)
        other = re.search(rf"(?<![A-Za-z]){sur}\s+[A-Z]", text)
        return bool(alone) and not other
    return any(re.search(rf"(?<![A-Za-z]){re.escape(w)}(?![A-Za-z])", text) for w in (words[0], words[-1]))
