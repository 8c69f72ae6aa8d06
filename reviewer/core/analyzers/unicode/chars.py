"""The characters that hide or forge text (bidi controls, zero-width, fillers, look-alike
letters) and what a character is: its name, script, an emoji or an ideograph."""

from __future__ import annotations

import re
import unicodedata

BIDI_NAMES = {
    0x202A: "LRE",
    0x202B: "RLE",
    0x202C: "PDF",
    0x202D: "LRO",
    0x202E: "RLO",
    0x2066: "LRI",
    0x2067: "RLI",
    0x2068: "FSI",
    0x2069: "PDI",
    0x200E: "LRM",
    0x200F: "RLM",
    0x061C: "ALM",
}
BIDI_MARKS = frozenset({0x200E, 0x200F, 0x061C})
ZERO_WIDTH = {
    0x200B: "ZWSP",
    0x200C: "ZWNJ",
    0x200D: "ZWJ",
    0x2060: "WJ",
    0xFEFF: "ZWNBSP",
    0x180E: "MVS",
    0x2061: "FUNCTION APPLICATION",
    0x2062: "INVISIBLE TIMES",
    0x2063: "INVISIBLE SEPARATOR",
    0x2064: "INVISIBLE PLUS",
    0x034F: "CGJ",
    0x00AD: "SHY",
    0x17B4: "KHMER VOWEL AQ",
    0x17B5: "KHMER VOWEL AA",
}
FILLERS = {
    0x3164: "HANGUL FILLER",
    0xFFA0: "HALFWIDTH HANGUL FILLER",
    0x115F: "HANGUL CHOSEONG FILLER",
    0x1160: "HANGUL JUNGSEONG FILLER",
}

# Letters that look like Latin ones, by the Latin letter they imitate.
CONFUSABLE = {
    # Cyrillic
    "а": "a",
    "в": "b",
    "е": "e",
    "ё": "e",
    "һ": "h",
    "і": "i",
    "ї": "i",
    "ј": "j",
    "к": "k",
    "м": "m",
    "н": "h",
    "о": "o",
    "р": "p",
    "с": "c",
    "т": "t",
    "у": "y",
    "х": "x",
    "ѕ": "s",
    "ԁ": "d",
    "ԛ": "q",
    "ԝ": "w",
    "ӏ": "l",
    "ү": "y",
    "ɡ": "g",
    "ո": "n",
    "А": "A",
    "В": "B",
    "Е": "E",
    "К": "K",
    "М": "M",
    "Н": "H",
    "О": "O",
    "Р": "P",
    "С": "C",
    "Т": "T",
    "Х": "X",
    "І": "I",
    "Ј": "J",
    "Ѕ": "S",
    "Һ": "H",
    "Ү": "Y",
    "Ԁ": "D",
    "Ԛ": "Q",
    "Ԝ": "W",
    "Ӏ": "I",
    "Ғ": "F",
    # Greek
    "ο": "o",
    "α": "a",
    "ρ": "p",
    "ν": "v",
    "ι": "i",
    "κ": "k",
    "τ": "t",
    "υ": "u",
    "χ": "x",
    "Α": "A",
    "Β": "B",
    "Ε": "E",
    "Ζ": "Z",
    "Η": "H",
    "Ι": "I",
    "Κ": "K",
    "Μ": "M",
    "Ν": "N",
    "Ο": "O",
    "Ρ": "P",
    "Τ": "T",
    "Υ": "Y",
    "Χ": "X",
    # Armenian and others
    "օ": "o",
    "ս": "u",
    "հ": "h",
    "ց": "g",
    "ք": "f",
    "Տ": "S",
    "Օ": "O",
    "Ꭺ": "A",
    "Ᏼ": "B",
    "Ꮯ": "C",
    "Ꭼ": "E",
    "Ꮋ": "H",
    "Ꮶ": "K",
    "Ꮇ": "M",
    "Ꮲ": "P",
    "Ꭲ": "T",
}
WORD = re.compile(r"[^\W\d]\w*")
WORD_RUN = re.compile(r"\w+")
RTL_LETTER = re.compile(r"[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")
# Real Hangul text (the filler characters themselves excluded: they are what hides).
HANGUL = re.compile(r"[\uac00-\ud7af\u1100-\u115e\u1161-\u11ff\u3131-\u3163\u3165-\u318f]")


def char_name(cp: int) -> str:
    short = BIDI_NAMES.get(cp) or ZERO_WIDTH.get(cp) or FILLERS.get(cp)
    if short is None:
        if 0xE0000 <= cp <= 0xE007F:
            short = "TAG"
        elif 0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF:
            short = "VS"
        else:
            short = unicodedata.name(chr(cp), "?")
    return f"U+{cp:04X} {short}"


def reveal(text: str, limit: int = 160) -> str:
    """``text`` with invisible and look-alike characters spelled out, for a reviewer."""
    out: list[str] = []
    for ch in text:
        cp = ord(ch)
        if cp < 128:
            out.append(ch)
        elif (
            cp in BIDI_NAMES
            or cp in ZERO_WIDTH
            or cp in FILLERS
            or 0xE0000 <= cp <= 0xE007F
            or 0xFE00 <= cp <= 0xFE0F
            or 0xE0100 <= cp <= 0xE01EF
        ):
            out.append(f"<{char_name(cp)}>")
        elif ch in CONFUSABLE:
            out.append(f"<U+{cp:04X}>")
        else:
            out.append(ch)
    shown = "".join(out).strip()
    return shown if len(shown) <= limit else shown[:limit] + "..."


def skeleton(word: str) -> str:
    """A word with look-alike letters mapped to the Latin ones and invisibles dropped."""
    return "".join(
        CONFUSABLE.get(ch, ch)
        for ch in word
        if ord(ch) not in ZERO_WIDTH and ord(ch) not in FILLERS
    )


def is_emoji(ch: str) -> bool:
    cp = ord(ch)
    return (
        0x1F000 <= cp <= 0x1FAFF
        or 0x2600 <= cp <= 0x27BF
        or 0x2300 <= cp <= 0x23FF
        or 0x2B00 <= cp <= 0x2BFF
        or 0x2190 <= cp <= 0x21FF
        or 0x25A0 <= cp <= 0x25FF
        or 0x1F3FB <= cp <= 0x1F3FF
        or cp
        in (
            0xA9,
            0xAE,
            0x203C,
            0x2049,
            0x2122,
            0x2139,
            0x24C2,
            0x3030,
            0x303D,
            0x3297,
            0x3299,
            0x20E3,
            0x2934,
            0x2935,
        )
        or unicodedata.category(ch) == "So"
    )


def is_ideograph(ch: str) -> bool:
    cp = ord(ch)
    return (
        0x4E00 <= cp <= 0x9FFF
        or 0x3400 <= cp <= 0x4DBF
        or 0x20000 <= cp <= 0x3134F
        or 0xF900 <= cp <= 0xFAFF
        or 0x1800 <= cp <= 0x18AF
        or unicodedata.category(ch) == "Sm"
    )


def script_of(ch: str) -> str:
    cp = ord(ch)
    if ch.isascii() or 0xC0 <= cp <= 0x24F or 0x1E00 <= cp <= 0x1EFF:
        return "latin"
    if 0x400 <= cp <= 0x52F:
        return "cyrillic"
    if 0x370 <= cp <= 0x3FF or 0x1F00 <= cp <= 0x1FFF:
        return "greek"
    if 0x530 <= cp <= 0x58F:
        return "armenian"
    if 0x13A0 <= cp <= 0x13FF:
        return "cherokee"
    return "other"
