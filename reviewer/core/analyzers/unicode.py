"""Hidden Unicode: text that reads differently from how a compiler, shell or AI reads it.

Bidirectional controls reorder what an editor shows (Trojan Source); zero-width,
filler and tag characters are invisible; variation selectors can smuggle bytes;
letters from Cyrillic or Greek can forge Latin identifiers. Ordinary text in
other languages (a Chinese README, a Russian translation, emoji) stays quiet.
"""

from __future__ import annotations

import bisect
import functools
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from reviewer.core.analyzers.added import iter_added
from reviewer.core.analyzers.agents import agent_file_kind
from reviewer.core.analyzers.base import AnalysisFile, AnalyzerOutput, ScanContext
from reviewer.core.findings import Confidence, Finding, Severity
from reviewer.core.paths import is_doc_path, is_program_like, is_test_path
from reviewer.core.rules import RuleMeta, rule_maker

__all__ = ["UnicodeAnalyzer", "RULES", "rule_metas", "reveal", "skeleton"]

ANALYZER = "unicode"

_BIDI_NAMES = {
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
_BIDI_MARKS = frozenset({0x200E, 0x200F, 0x061C})
_ZERO_WIDTH = {
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
_FILLERS = {
    0x3164: "HANGUL FILLER",
    0xFFA0: "HALFWIDTH HANGUL FILLER",
    0x115F: "HANGUL CHOSEONG FILLER",
    0x1160: "HANGUL JUNGSEONG FILLER",
}

# Letters that look like Latin ones, by the Latin letter they imitate.
_CONFUSABLE = {
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
_WORD = re.compile(r"[^\W\d]\w*")
_WORD_RUN = re.compile(r"\w+")
_RTL_LETTER = re.compile(r"[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")
# Real Hangul text (the filler characters themselves excluded: they are what hides).
_HANGUL = re.compile(r"[\uac00-\ud7af\u1100-\u115e\u1161-\u11ff\u3131-\u3163\u3165-\u318f]")


_meta = rule_maker(
    f"python:{ANALYZER}", category="hidden-unicode", capabilities=("hidden-unicode",)
)


RULES: dict[str, RuleMeta] = {
    m.rule_id: m
    for m in (
        _meta(
            "unicode-bidi-control",
            Severity.CRITICAL,
            Confidence.HIGH,
            "Bidirectional control characters make code display in a different order from how it "
            "runs (Trojan Source).",
            "Remove the control characters; if right-to-left text is really needed, keep it in a "
            "translation file, not in code.",
        ),
        _meta(
            "unicode-zero-width",
            Severity.HIGH,
            Confidence.HIGH,
            "Zero-width or filler characters make two different identifiers or strings look the "
            "same.",
            "Delete the invisible characters and check every use of the affected name.",
        ),
        _meta(
            "unicode-tag-characters",
            Severity.CRITICAL,
            Confidence.HIGH,
            "Unicode tag characters carry invisible ASCII text (ASCII smuggling), often an "
            "instruction aimed at an AI model.",
            "Delete the tag characters; read the decoded text in the finding to see what was "
            "hidden.",
        ),
        _meta(
            "unicode-variation-selector",
            Severity.HIGH,
            Confidence.MEDIUM,
            "Variation selectors outside emoji or ideographs are invisible and can encode hidden "
            "bytes.",
            "Delete the variation selectors; decode them to see whether they carried data.",
        ),
        _meta(
            "unicode-homoglyph-identifier",
            Severity.HIGH,
            Confidence.MEDIUM,
            "An identifier mixes Latin letters with look-alike Cyrillic, Greek or Armenian ones, "
            "so it can impersonate another name.",
            "Retype the identifier in plain ASCII and check which definition every call really "
            "reaches.",
        ),
        _meta(
            "unicode-hidden-in-agent-file",
            Severity.CRITICAL,
            Confidence.HIGH,
            "An AI-agent instruction or configuration file carries invisible or reordered text: "
            "hidden instructions to the next AI that reads it.",
            "Delete the hidden characters and review the decoded text; treat the change as hostile "
            "until its author explains it.",
        ),
    )
}


def rule_metas() -> list[RuleMeta]:
    """Catalogue entries of this analyzer's rules."""
    return list(RULES.values())


def _char_name(cp: int) -> str:
    short = _BIDI_NAMES.get(cp) or _ZERO_WIDTH.get(cp) or _FILLERS.get(cp)
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
            cp in _BIDI_NAMES
            or cp in _ZERO_WIDTH
            or cp in _FILLERS
            or 0xE0000 <= cp <= 0xE007F
            or 0xFE00 <= cp <= 0xFE0F
            or 0xE0100 <= cp <= 0xE01EF
        ):
            out.append(f"<{_char_name(cp)}>")
        elif ch in _CONFUSABLE:
            out.append(f"<U+{cp:04X}>")
        else:
            out.append(ch)
    shown = "".join(out).strip()
    return shown if len(shown) <= limit else shown[:limit] + "..."


def skeleton(word: str) -> str:
    """A word with look-alike letters mapped to the Latin ones and invisibles dropped."""
    return "".join(
        _CONFUSABLE.get(ch, ch)
        for ch in word
        if ord(ch) not in _ZERO_WIDTH and ord(ch) not in _FILLERS
    )


def _is_emoji(ch: str) -> bool:
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


def _is_ideograph(ch: str) -> bool:
    cp = ord(ch)
    return (
        0x4E00 <= cp <= 0x9FFF
        or 0x3400 <= cp <= 0x4DBF
        or 0x20000 <= cp <= 0x3134F
        or 0xF900 <= cp <= 0xFAFF
        or 0x1800 <= cp <= 0x18AF
        or unicodedata.category(ch) == "Sm"
    )


def _script(ch: str) -> str:
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


@dataclass(frozen=True)
class _Hit:
    rule_id: str
    severity: Severity
    line: int
    what: str
    extra: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class _FileKind:
    agent: bool
    code: bool
    prose: bool


def _neighbours(line: str, i: int) -> tuple[str, str]:
    return (line[i - 1] if i > 0 else ""), (line[i + 1] if i + 1 < len(line) else "")


def _in_text(line: str, i: int) -> bool:
    """True when position ``i`` of a code line sits inside a string literal or a line comment."""
    return bool(_text_kind(line, i))


def _text_kind(line: str, i: int) -> str:
    """ "string" or "comment" when position ``i`` of a code line is inside one, else ""."""
    los, his, kinds = _text_spans(line)
    k = bisect.bisect_left(los, i) - 1
    return kinds[k] if k >= 0 and i <= his[k] else ""


@functools.lru_cache(maxsize=64)
def _text_spans(line: str) -> tuple[list[int], list[int], list[str]]:
    """The line's strings and comment, scanned once: positions ``lo < i <= hi`` of each span are
    inside it (a string from its opening quote to its closing one; a comment to the end).

    Once per line, not once per character asked about: a line of 4,000 invisible characters
    asked 4,000 times over its whole length."""
    los: list[int] = []
    his: list[int] = []
    kinds: list[str] = []
    quote, start, j, size = "", 0, 0, len(line)
    while j < size:
        ch = line[j]
        if quote:
            if ch == "\\":
                j += 1
            elif ch == quote:
                los.append(start)
                his.append(j)
                kinds.append("string")
                quote = ""
        elif ch in "\"'`":
            quote, start = ch, j
        elif (ch == "#" and line[j + 1 : j + 2] in ("", " ", "#", "!")) or line.startswith("//", j):
            los.append(j)
            his.append(size)
            kinds.append("comment")
            return los, his, kinds
        j += 1
    if quote:
        los.append(start)
        his.append(size)
        kinds.append("string")
    return los, his, kinds


@functools.lru_cache(maxsize=64)
def _visible_foreign(line: str) -> int:
    """How many visible non-ASCII characters a line holds (text or a character table, not names)."""
    return sum(
        1
        for ch in line
        if ord(ch) > 0x7F
        and ord(ch) not in _ZERO_WIDTH
        and ord(ch) not in _FILLERS
        and ord(ch) not in _BIDI_NAMES
        and ch.isprintable()
    )


@functools.lru_cache(maxsize=64)
def _has_hangul(line: str) -> bool:
    return bool(_HANGUL.search(line))


@functools.lru_cache(maxsize=64)
def _accented_letters(line: str) -> int:
    """Non-ASCII letters on a line that imitate no Latin letter (é, ø, ñ): visibly foreign text."""
    return sum(1 for ch in line if ord(ch) > 0x7F and ch.isalpha() and ch not in _CONFUSABLE)


def _word_at(line: str, word: str) -> int:
    """Where ``word`` first occurs in ``line`` as a whole word (0 when not found)."""
    return _word_starts(line).get(word, 0)


@functools.lru_cache(maxsize=64)
def _word_starts(line: str) -> dict[str, int]:
    """First position of each whole word (a maximal run of word characters) of a line."""
    starts: dict[str, int] = {}
    for m in _WORD_RUN.finditer(line):
        starts.setdefault(m.group(), m.start())
    return starts


class _ChangeWords:
    """ASCII identifiers of every file in the change, collected on first use."""

    def __init__(self, files: Sequence[AnalysisFile]) -> None:
        self._files = files
        self._words: set[str] | None = None

    def get(self) -> set[str]:
        if self._words is None:
            self._words = {w for f in self._files for w in _WORD.findall(f.text) if w.isascii()}
        return self._words


class UnicodeAnalyzer:
    """Invisible, reordering and look-alike characters on added lines."""

    name = ANALYZER

    def analyze(self, files: Sequence[AnalysisFile], ctx: ScanContext) -> AnalyzerOutput:
        out = AnalyzerOutput()
        change_words = _ChangeWords(files)
        for file in files:
            if file.change.binary:
                continue
            out.findings.extend(self._file(file, change_words))
        return out

    def _file(self, file: AnalysisFile, change_words: _ChangeWords) -> Iterator[Finding]:
        path = file.path
        agent = agent_file_kind(path) is not None
        doc = is_doc_path(path)
        code = is_program_like(path, file.text[:200])
        kind = _FileKind(agent=agent, code=code and not agent, prose=not agent and doc)
        hits: list[tuple[_Hit, str]] = []
        odd_words: list[tuple[int, str, str]] = []
        for n, line in iter_added(file):
            if line.isascii():
                continue
            for hit in self._line_hits(n, line, kind):
                hits.append((hit, line))
            if kind.code or kind.agent:
                odd_words.extend((n, w, line) for w in self._odd_words(line))
        if odd_words:
            hits.extend(self._homoglyphs(file, odd_words, kind, change_words))
        seen: set[tuple[str, int]] = set()
        for hit, line in hits:
            if (hit.rule_id, hit.line) in seen:
                continue
            seen.add((hit.rule_id, hit.line))
            yield self._finding(path, hit, line, kind)

    # -- invisible characters -------------------------------------------------

    def _line_hits(self, n: int, line: str, kind: _FileKind) -> Iterator[_Hit]:
        rtl = None
        i = 0
        size = len(line)
        while i < size:
            ch = line[i]
            cp = ord(ch)
            if cp < 0x80 or (0x80 <= cp < 0x200 and cp != 0xAD):
                i += 1
                continue
            if cp in _BIDI_NAMES:
                if rtl is None:
                    rtl = bool(_RTL_LETTER.search(line))
                hit = self._bidi(n, line, cp, rtl, kind)
                if hit:
                    yield hit
            elif cp in _ZERO_WIDTH:
                hit = self._zero_width(n, line, i, cp, kind)
                if hit:
                    yield hit
            elif cp in _FILLERS:
                if not _has_hangul(line):
                    yield _Hit(
                        "unicode-zero-width",
                        Severity.HIGH if kind.code else Severity.MEDIUM,
                        n,
                        f"an invisible {_char_name(cp)} (renders as blank, yet is a letter in "
                        "identifiers)",
                    )
            elif 0xE0000 <= cp <= 0xE007F:
                j = i
                while j < size and 0xE0000 <= ord(line[j]) <= 0xE007F:
                    j += 1
                run = line[i:j]
                if not (i > 0 and ord(line[i - 1]) == 0x1F3F4 and len(run) <= 7):
                    hidden = "".join(
                        chr(ord(c) - 0xE0000) for c in run if 0xE0020 <= ord(c) <= 0xE007E
                    )
                    yield _Hit(
                        "unicode-tag-characters",
                        Severity.CRITICAL,
                        n,
                        f'{len(run)} invisible Unicode tag characters that spell "{hidden[:200]}"',
                        (("hidden_text", hidden[:500]),),
                    )
                i = j
                continue
            elif 0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF:
                j = i
                while j < size and (
                    0xFE00 <= ord(line[j]) <= 0xFE0F or 0xE0100 <= ord(line[j]) <= 0xE01EF
                ):
                    j += 1
                hit = self._variation(n, line, i, j, kind)
                if hit:
                    yield hit
                i = j
                continue
            i += 1

    @staticmethod
    def _bidi(n: int, line: str, cp: int, rtl: bool, kind: _FileKind) -> _Hit | None:
        name = _char_name(cp)
        if cp in _BIDI_MARKS:
            if rtl:
                return None  # direction marks inside real right-to-left text
            severity = Severity.HIGH if kind.code else Severity.LOW
            return _Hit("unicode-bidi-control", severity, n, f"a bidirectional mark ({name})")
        if rtl:
            severity = Severity.MEDIUM if kind.code else Severity.LOW
        else:
            severity = (
                Severity.CRITICAL if kind.code else Severity.MEDIUM if kind.prose else Severity.HIGH
            )
        return _Hit(
            "unicode-bidi-control",
            severity,
            n,
            f"a bidirectional override/embedding/isolate ({name}) that reorders how the line "
            "is displayed",
        )

    @staticmethod
    def _zero_width(n: int, line: str, i: int, cp: int, kind: _FileKind) -> _Hit | None:
        if cp == 0xFEFF and n == 1 and i == 0:
            return None  # byte-order mark
        before, after = _neighbours(line, i)
        if cp == 0x200D and (
            _is_emoji(before) or ord(before or " ") in range(0xFE00, 0xFE10) or _is_emoji(after)
        ):
            return None  # emoji ZWJ sequence
        if cp in (0x200C, 0x200D) and (
            before
            and not before.isascii()
            and before.isalpha()
            or after
            and not after.isascii()
            and after.isalpha()
        ):
            return None  # joiners inside Persian, Arabic or Indic words
        if cp == 0x00AD and not kind.code:
            return None  # soft hyphen in prose
        in_word = bool(before and (before.isalnum() or before == "_")) and bool(
            after and (after.isalnum() or after == "_")
        )
        name = _char_name(cp)
        if kind.code and not in_word and _text_kind(line, i) == "comment":
            # Between words of a comment it hides nothing a name or a string could use.
            return _Hit("unicode-zero-width", Severity.LOW, n, f"an invisible {name} in a comment")
        if kind.code and _visible_foreign(line) >= 3 and _in_text(line, i):
            # A string of foreign text or a character table (encodings, Unicode tests): data, and
            # the other letters around it show the reader the line is not plain ASCII.
            return _Hit(
                "unicode-zero-width", Severity.LOW, n, f"an invisible {name} in non-ASCII text"
            )
        if kind.code:
            severity = Severity.HIGH if in_word else Severity.MEDIUM
        elif kind.prose:
            severity = Severity.LOW
        else:
            severity = Severity.MEDIUM if in_word else Severity.LOW
        where = "inside a word" if in_word else "in the line"
        return _Hit("unicode-zero-width", severity, n, f"an invisible {name} {where}")

    @staticmethod
    def _variation(n: int, line: str, i: int, j: int, kind: _FileKind) -> _Hit | None:
        run = line[i:j]
        before = line[i - 1] if i > 0 else ""
        if len(run) == 1:
            cp = ord(run)
            if before and (
                _is_emoji(before)
                or _is_ideograph(before)
                or before in "#*0123456789"
                or not before.isascii()
                and unicodedata.category(before)[0] in "SNP"
            ):
                return None
            if cp in (0xFE0E, 0xFE0F) and not kind.code:
                return None
            severity = Severity.MEDIUM if kind.code else Severity.LOW
            return _Hit(
                "unicode-variation-selector",
                severity,
                n,
                f"a variation selector ({_char_name(cp)}) after {before!r}, where it changes "
                "nothing visible",
            )
        data = bytearray()
        for ch in run:
            cp = ord(ch)
            data.append(cp - 0xFE00 if cp <= 0xFE0F else cp - 0xE0100 + 16)
        if len(run) <= 3 and _is_ideograph(before):
            return None
        hidden = data.decode("utf-8", "replace")
        shown = "".join(c if c.isprintable() else "." for c in hidden)[:200]
        return _Hit(
            "unicode-variation-selector",
            Severity.HIGH,
            n,
            f"{len(run)} variation selectors in a row, an invisible run that encodes "
            f'{len(data)} bytes ("{shown}")',
            (("hidden_text", shown),),
        )

    # -- look-alike identifiers ---------------------------------------------

    @staticmethod
    def _odd_words(line: str) -> list[str]:
        words = _WORD.findall(line)
        odd: list[str] = []
        foreign_words = 0
        for w in words:
            if w.isascii():
                continue
            scripts = {_script(c) for c in w if c.isalpha()}
            if "latin" not in scripts:
                if any(c not in _CONFUSABLE for c in w if c.isalpha()):
                    foreign_words += 1
                    continue
            if any(c in _CONFUSABLE for c in w):
                odd.append(w)
        if foreign_words:
            return []  # real Cyrillic/Greek/... words on the line: prose, not a forged identifier
        return odd

    def _homoglyphs(
        self,
        file: AnalysisFile,
        odd: list[tuple[int, str, str]],
        kind: _FileKind,
        change_words: _ChangeWords,
    ) -> Iterator[tuple[_Hit, str]]:
        known = {w for w in _WORD.findall(file.text) if w.isascii()}
        tests = is_test_path(file.path)
        for n, word, line in odd:
            skel = skeleton(word)
            scripts = sorted({_script(c) for c in word if c.isalpha()} - {"latin"})
            mixed = any(_script(c) == "latin" for c in word if c.isalpha())
            where = "elsewhere in this file" if skel in known else "in another file of this change"
            in_text = _in_text(line, _word_at(line, word))
            if mixed and in_text and (tests or _accented_letters(line) >= 2):
                # Mixed scripts inside a test string or next to accented letters: Unicode test
                # data ("Fαil Ërrør"), not a forged name or host.
                what = (
                    f"the word `{reveal(word)}` in a string of mixed-script text; "
                    f"it reads as `{skel}`"
                )
                yield (
                    _Hit(
                        "unicode-homoglyph-identifier", Severity.LOW, n, what, (("imitates", skel),)
                    ),
                    line,
                )
            elif not mixed and in_text:
                # A whole Cyrillic or Greek word (or letter) in a string or a comment is text:
                # alphabets, translations, test data. A forged name has to be code.
                what = (
                    f"the word `{reveal(word)}`, written only in {'/'.join(scripts)} letters that "
                    f"look Latin; it reads as `{skel}`"
                )
                yield (
                    _Hit(
                        "unicode-homoglyph-identifier", Severity.LOW, n, what, (("imitates", skel),)
                    ),
                    line,
                )
            elif skel in known or skel in change_words.get():
                what = (
                    f"the identifier `{reveal(word)}`, which looks exactly like `{skel}` used "
                    f"{where} but is a different name "
                    f"(it contains {'/'.join(scripts)} letters)"
                )
                hit = _Hit(
                    "unicode-homoglyph-identifier", Severity.HIGH, n, what, (("imitates", skel),)
                )
                yield hit, line
            elif mixed or len(word) >= 3:
                what = (
                    (
                        f"the identifier `{reveal(word)}`, which mixes Latin with look-alike "
                        f"{'/'.join(scripts)} letters and reads as `{skel}`"
                    )
                    if mixed
                    else (
                        f"the word `{reveal(word)}`, written only in {'/'.join(scripts)} letters "
                        f"that look Latin; it reads as `{skel}`"
                    )
                )
                # A whole word in another script may be a real word ("нет"); mixing is not.
                severity = Severity.HIGH if mixed and (kind.code or kind.agent) else Severity.LOW
                yield (
                    _Hit("unicode-homoglyph-identifier", severity, n, what, (("imitates", skel),)),
                    line,
                )

    # -- findings -------------------------------------------------------------

    def _finding(self, path: str, hit: _Hit, line: str, kind: _FileKind) -> Finding:
        meta = RULES[hit.rule_id]
        severity = hit.severity
        if kind.agent and severity >= Severity.LOW:
            meta = RULES["unicode-hidden-in-agent-file"]
            severity = (
                Severity.CRITICAL
                if hit.rule_id != "unicode-homoglyph-identifier"
                else Severity.HIGH
            )
            message = (
                f"This AI-agent instruction file carries {hit.what}. People reading the file see "
                "nothing, but the next coding agent that loads it reads every character: hidden "
                "text here is an instruction to the AI. Check the raw bytes of the line."
            )
        elif hit.rule_id == "unicode-bidi-control":
            message = (
                f"This line contains {hit.what}. Editors and review tools show the code in a "
                "different order from how the compiler or interpreter reads it (Trojan Source), "
                "so a check or a comment can appear where it is not. Read the line below with "
                "the controls spelled out."
            )
        elif hit.rule_id == "unicode-homoglyph-identifier":
            message = (
                f"This line uses {hit.what}. A look-alike name can shadow a real function or "
                "variable so that a call reaches different code from what reviewers see."
            )
        elif hit.rule_id == "unicode-tag-characters":
            message = (
                f"This line hides {hit.what}. Tag characters render as nothing, but tools and AI "
                "models read them (ASCII smuggling)."
            )
        elif hit.rule_id == "unicode-variation-selector":
            message = (
                f"This line contains {hit.what}. Variation selectors are invisible; outside emoji "
                "and ideographs they are a known way to hide data or instructions in text."
            )
        else:
            message = (
                f"This line contains {hit.what}. Invisible characters make two different names "
                "or strings look identical, so code can call or compare something other than "
                "what reviewers read."
            )
        return Finding(
            rule_id=meta.rule_id,
            category=meta.category,
            severity=severity,
            confidence=meta.confidence,
            path=path,
            start_line=hit.line,
            end_line=hit.line,
            message=message,
            remediation=meta.remediation,
            evidence=reveal(line),
            analyzer=ANALYZER,
            capabilities=frozenset(meta.capabilities) | ({"agent-file"} if kind.agent else set()),
            extra=hit.extra,
        )
