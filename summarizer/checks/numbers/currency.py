"""Currencies: how each language writes them, which ones may stand for each other, and their names.

元 / 万元 / 亿元 are yuan ("yuan" or "RMB" in English, never "$"); 美元 is US dollars ("$" or "US dollars");
港元 HK dollars; 欧元 euros; 英镑 pounds; 日元 yen.
"""
from __future__ import annotations

import re

# 元 alone is "YUAN": yuan, but also the unit of many other currencies (加拿大 5 元)
CURRENCY_ZH = {
    "人民币": "CNY", "亿元": "YUAN", "万元": "YUAN", "千元": "YUAN", "元": "YUAN", "块": "YUAN", "美元": "USD", "美金": "USD",
    "欧元": "EUR", "英镑": "GBP", "日元": "JPY", "港元": "HKD", "港币": "HKD", "澳元": "AUD", "加元": "CAD",
    "新台币": "TWD", "卢布": "RUB", "韩元": "KRW", "卢比": "INR", "法郎": "CHF",
}
CURRENCY_EN_SYMBOL = {
    "US$": "USD", "HK$": "HKD", "A$": "AUD", "AU$": "AUD", "C$": "CAD", "CA$": "CAD", "NZ$": "NZD", "S$": "SGD",
    "$": "DOLLAR", "€": "EUR", "£": "GBP", "¥": "YEN_OR_YUAN", "RMB": "CNY", "USD": "USD", "EUR": "EUR", "CNY": "CNY",
    "GBP": "GBP", "JPY": "JPY", "HKD": "HKD", "Rs": "INR",
}
CURRENCY_EN_WORD = {
    "yuan": "CNY", "renminbi": "CNY", "rmb": "CNY", "dollars": "DOLLAR", "dollar": "DOLLAR", "usd": "USD",
    "euros": "EUR", "euro": "EUR", "yen": "JPY", "rupees": "INR", "rupee": "INR", "roubles": "RUB", "rubles": "RUB",
    "won": "KRW", "francs": "CHF", "pesos": "PESO",
}
# a currency named with its country: "US dollars", "Hong Kong dollars", "British pounds", "pounds sterling"
CURRENCY_EN_QUALIFIED = {
    "us": "USD", "u.s.": "USD", "hk": "HKD", "hong kong": "HKD", "australian": "AUD", "canadian": "CAD",
    "singapore": "SGD", "new zealand": "NZD", "new taiwan": "TWD", "taiwan": "TWD", "british": "GBP", "sterling": "GBP",
}
QUALIFIED_EN_RE = re.compile(
    r"[\s-]*(?:(US|U\.S\.|HK|Hong Kong|Australian|Canadian|Singapore|New Zealand|New Taiwan|Taiwan)\s+dollars?"
    r"|(British)\s+pounds?|pounds?\s+(sterling))\b"
)
EN_SYMBOL_PATTERN = "|".join(re.escape(s) for s in sorted(CURRENCY_EN_SYMBOL, key=len, reverse=True))
_FAMILY = {
    "DOLLAR": {"USD", "HKD", "AUD", "CAD", "NZD", "SGD", "TWD", "DOLLAR"},
    "YEN_OR_YUAN": {"CNY", "JPY", "YEN_OR_YUAN", "YUAN"},
}
LOCAL_YUAN_RE = re.compile(r"(加拿大|美国|香港|港|台湾|新台|澳大利亚|澳洲|新西兰|新加坡|日本|韩国|欧洲|欧盟|英国|印度|俄罗斯)")

_NAMES = {
    "CNY": "yuan", "YUAN": "yuan", "USD": "US dollars", "DOLLAR": "US dollars", "HKD": "HK dollars", "EUR": "euros",
    "GBP": "pounds", "JPY": "yen", "YEN_OR_YUAN": "yen or yuan", "AUD": "Australian dollars", "CAD": "Canadian dollars",
    "NZD": "New Zealand dollars", "SGD": "Singapore dollars", "TWD": "New Taiwan dollars", "RUB": "roubles",
    "KRW": "won", "INR": "rupees", "CHF": "Swiss francs", "PESO": "pesos",
}
# how a fix writes an amount in each currency: English pattern for the number, and the Chinese currency word
EN_AMOUNT = {
    "CNY": "{} yuan", "YUAN": "{} yuan", "USD": "${}", "DOLLAR": "${}", "HKD": "HK${}", "EUR": "€{}", "GBP": "£{}",
    "JPY": "{} yen", "AUD": "A${}", "CAD": "C${}", "NZD": "NZ${}", "SGD": "S${}", "TWD": "NT${}", "RUB": "{} roubles",
    "KRW": "{} won", "INR": "{} rupees", "CHF": "{} Swiss francs",
}
ZH_WORD = {
    "CNY": "元", "YUAN": "元", "USD": "美元", "DOLLAR": "美元", "HKD": "港元", "EUR": "欧元", "GBP": "英镑", "JPY": "日元",
    "AUD": "澳元", "CAD": "加元", "TWD": "新台币", "RUB": "卢布", "KRW": "韩元", "INR": "卢比", "CHF": "法郎",
}


def currencies_compatible(a: str | None, b: str | None) -> bool:
    if not a or not b or a == b:
        return True
    if "YUAN" in (a, b):
        other = b if a == "YUAN" else a
        return other in ("CNY", "YEN_OR_YUAN", "YUAN")
    return b in _FAMILY.get(a, {a}) or a in _FAMILY.get(b, {b})


def currency_name(code: str | None) -> str:
    return _NAMES.get(code or "", code or "no currency")
