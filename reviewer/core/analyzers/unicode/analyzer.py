"""The hidden-unicode analyzer: bidi, invisible, variation-selector and look-alike hits on
added lines, each weighed by the kind of file and where in the line it stands."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator, Sequence

from reviewer.core.analyzers.added import iter_added
from reviewer.core.analyzers.agents.data import agent_file_kind
from reviewer.core.analyzers.base import AnalysisFile, AnalyzerOutput, ScanContext
from reviewer.core.analyzers.unicode.chars import (
    BIDI_MARKS,
    BIDI_NAMES,
    CONFUSABLE,
    FILLERS,
    RTL_LETTER,
    WORD,
    ZERO_WIDTH,
    char_name,
    is_emoji,
    is_ideograph,
    reveal,
    script_of,
    skeleton,
)
from reviewer.core.analyzers.unicode.context import (
    ChangeWords,
    FileKind,
    Hit,
    accented_letters,
    has_hangul,
    is_in_text,
    neighbours,
    text_kind,
    visible_foreign,
    word_at,
)
from reviewer.core.analyzers.unicode.rules import ANALYZER, RULES
from reviewer.core.findings import Finding, Severity
from reviewer.core.paths import is_doc_path, is_program_like, is_test_path


class UnicodeAnalyzer:
    """Invisible, reordering and look-alike characters on added lines."""

    name = ANALYZER

    def analyze(self, files: Sequence[AnalysisFile], ctx: ScanContext) -> AnalyzerOutput:
        out = AnalyzerOutput()
        change_words = ChangeWords(files)
        for file in files:
            if file.change.binary:
                continue
            out.findings.extend(self._file(file, change_words))
        return out

    def _file(self, file: AnalysisFile, change_words: ChangeWords) -> Iterator[Finding]:
        path = file.path
        agent = agent_file_kind(path) is not None
        doc = is_doc_path(path)
        code = is_program_like(path, file.text[:200])
        kind = FileKind(agent=agent, code=code and not agent, prose=not agent and doc)
        hits: list[tuple[Hit, str]] = []
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

    def _line_hits(self, n: int, line: str, kind: FileKind) -> Iterator[Hit]:
        rtl = None
        i = 0
        size = len(line)
        while i < size:
            ch = line[i]
            cp = ord(ch)
            if cp < 0x80 or (0x80 <= cp < 0x200 and cp != 0xAD):
                i += 1
                continue
            if cp in BIDI_NAMES:
                if rtl is None:
                    rtl = bool(RTL_LETTER.search(line))
                hit = self._bidi(n, line, cp, rtl, kind)
                if hit:
                    yield hit
            elif cp in ZERO_WIDTH:
                hit = self._zero_width(n, line, i, cp, kind)
                if hit:
                    yield hit
            elif cp in FILLERS:
                if not has_hangul(line):
                    yield Hit(
                        "unicode-zero-width",
                        Severity.HIGH if kind.code else Severity.MEDIUM,
                        n,
                        f"an invisible {char_name(cp)} (renders as blank, yet is a letter in "
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
                    yield Hit(
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
    def _bidi(n: int, line: str, cp: int, rtl: bool, kind: FileKind) -> Hit | None:
        name = char_name(cp)
        if cp in BIDI_MARKS:
            if rtl:
                return None  # direction marks inside real right-to-left text
            severity = Severity.HIGH if kind.code else Severity.LOW
            return Hit("unicode-bidi-control", severity, n, f"a bidirectional mark ({name})")
        if rtl:
            severity = Severity.MEDIUM if kind.code else Severity.LOW
        else:
            severity = (
                Severity.CRITICAL if kind.code else Severity.MEDIUM if kind.prose else Severity.HIGH
            )
        return Hit(
            "unicode-bidi-control",
            severity,
            n,
            f"a bidirectional override/embedding/isolate ({name}) that reorders how the line "
            "is displayed",
        )

    @staticmethod
    def _zero_width(n: int, line: str, i: int, cp: int, kind: FileKind) -> Hit | None:
        if cp == 0xFEFF and n == 1 and i == 0:
            return None  # byte-order mark
        before, after = neighbours(line, i)
        if cp == 0x200D and (
            is_emoji(before) or ord(before or " ") in range(0xFE00, 0xFE10) or is_emoji(after)
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
        name = char_name(cp)
        if kind.code and not in_word and text_kind(line, i) == "comment":
            # Between words of a comment it hides nothing a name or a string could use.
            return Hit("unicode-zero-width", Severity.LOW, n, f"an invisible {name} in a comment")
        if kind.code and visible_foreign(line) >= 3 and is_in_text(line, i):
            # A string of foreign text or a character table (encodings, Unicode tests): data, and
            # the other letters around it show the reader the line is not plain ASCII.
            return Hit(
                "unicode-zero-width", Severity.LOW, n, f"an invisible {name} in non-ASCII text"
            )
        if kind.code:
            severity = Severity.HIGH if in_word else Severity.MEDIUM
        elif kind.prose:
            severity = Severity.LOW
        else:
            severity = Severity.MEDIUM if in_word else Severity.LOW
        where = "inside a word" if in_word else "in the line"
        return Hit("unicode-zero-width", severity, n, f"an invisible {name} {where}")

    @staticmethod
    def _variation(n: int, line: str, i: int, j: int, kind: FileKind) -> Hit | None:
        run = line[i:j]
        before = line[i - 1] if i > 0 else ""
        if len(run) == 1:
            cp = ord(run)
            if before and (
                is_emoji(before)
                or is_ideograph(before)
                or before in "#*0123456789"
                or not before.isascii()
                and unicodedata.category(before)[0] in "SNP"
            ):
                return None
            if cp in (0xFE0E, 0xFE0F) and not kind.code:
                return None
            severity = Severity.MEDIUM if kind.code else Severity.LOW
            return Hit(
                "unicode-variation-selector",
                severity,
                n,
                f"a variation selector ({char_name(cp)}) after {before!r}, where it changes "
                "nothing visible",
            )
        data = bytearray()
        for ch in run:
            cp = ord(ch)
            data.append(cp - 0xFE00 if cp <= 0xFE0F else cp - 0xE0100 + 16)
        if len(run) <= 3 and is_ideograph(before):
            return None
        hidden = data.decode("utf-8", "replace")
        shown = "".join(c if c.isprintable() else "." for c in hidden)[:200]
        return Hit(
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
        words = WORD.findall(line)
        odd: list[str] = []
        foreign_words = 0
        for w in words:
            if w.isascii():
                continue
            scripts = {script_of(c) for c in w if c.isalpha()}
            if "latin" not in scripts:
                if any(c not in CONFUSABLE for c in w if c.isalpha()):
                    foreign_words += 1
                    continue
            if any(c in CONFUSABLE for c in w):
                odd.append(w)
        if foreign_words:
            return []  # real Cyrillic/Greek/... words on the line: prose, not a forged identifier
        return odd

    def _homoglyphs(
        self,
        file: AnalysisFile,
        odd: list[tuple[int, str, str]],
        kind: FileKind,
        change_words: ChangeWords,
    ) -> Iterator[tuple[Hit, str]]:
        known = {w for w in WORD.findall(file.text) if w.isascii()}
        tests = is_test_path(file.path)
        for n, word, line in odd:
            skel = skeleton(word)
            scripts = sorted({script_of(c) for c in word if c.isalpha()} - {"latin"})
            mixed = any(script_of(c) == "latin" for c in word if c.isalpha())
            where = "elsewhere in this file" if skel in known else "in another file of this change"
            in_text = is_in_text(line, word_at(line, word))
            if mixed and in_text and (tests or accented_letters(line) >= 2):
                # Mixed scripts inside a test string or next to accented letters: Unicode test
                # data ("Fαil Ërrør"), not a forged name or host.
                what = (
                    f"the word `{reveal(word)}` in a string of mixed-script text; "
                    f"it reads as `{skel}`"
                )
                yield (
                    Hit(
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
                    Hit(
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
                hit = Hit(
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
                    Hit("unicode-homoglyph-identifier", severity, n, what, (("imitates", skel),)),
                    line,
                )

    # -- findings -------------------------------------------------------------

    def _finding(self, path: str, hit: Hit, line: str, kind: FileKind) -> Finding:
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
        return meta.finding(
            analyzer=ANALYZER,
            path=path,
            start_line=hit.line,
            end_line=hit.line,
            message=message,
            evidence=reveal(line),
            severity=severity,
            capabilities=frozenset(meta.capabilities) | ({"agent-file"} if kind.agent else set()),
            extra=hit.extra,
        )
