"""Auth comparisons: a credential-named value compared against a literal in code."""

import re
from collections.abc import Iterator
from dataclasses import dataclass

# ---------------------------------------------------------------- auth comparisons

# Bounded (a name of at most 128 characters, at most 8 accessors, each part possessive): a run of
# `a.a.a...` could otherwise start a scan to the end of the line at each of its names. A longer
# chain still matches from one of its later names, which is the name the check looks at.
_OPERAND = (
    r"(?:\$?[A-Za-z_][\w$]{0,127}+(?:(?:\.|->|::)[A-Za-z_][\w$]{0,127}+"
    r"|\[\s*+(?:[\"'][\w\-]{1,128}+[\"']|:?[\w\-]{1,128}+)\s*+\]"
    r"|\{\s*+[\"']?[\w\-]{1,128}+[\"']?\s*+\}|\(\s*+\)|\(\s*+[\"'][\w\-]{1,128}+[\"']\s*+\)){0,8})"
)
_LIT = r"(?P<q>[\"'])(?P<lit>[^\"'\n\\]{1,100})(?P=q)"
_LIT2 = r"(?P<q2>[\"'])(?P<lit2>[^\"'\n\\]{1,100})(?P=q2)"
_OP = r"\s*(?:===?|!==?|<>|\beq\b|\bne\b)\s*"
_COMPARE = re.compile(
    rf"(?<![\w^])(?P<lhs>{_OPERAND}){_OP}{_LIT}(?!\s*[\w.(\[])"
    rf"|(?<![\w.])" + _LIT2 + rf"{_OP}(?P<rhs>{_OPERAND})(?![\w(])"
    rf"|\b(?:str(?:n)?(?:case)?cmp|memcmp|wcscmp|_?stricmp|hash_equals|compare_digest|secure_compare|"
    rf"timingSafeEqual|constant_time_compare|ConstantTimeCompare|EqualFold|Objects\.equals|"
    rf"String\.Equals|string\.Equals)\s*\(\s*(?P<fa>[^,()]+?(?:\([^()]*\))?)\s*,\s*(?P<fb>[^,()]+?)\s*[,)]"
    rf"|(?P<mlhs>{_OPERAND})\.(?:equals|equalsIgnoreCase|Equals|eql\?|equal\?|contentEquals)\s*\(\s*"
    rf"(?P<q3>[\"'])(?P<mlit>[^\"'\n\\]{{1,100}})(?P=q3)\s*\)"
    rf"|(?P<q4>[\"'])(?P<rlit>[^\"'\n\\]{{1,100}})(?P=q4)\.(?:equals|equalsIgnoreCase|Equals)\s*\(\s*"
    rf"(?P<rname>{_OPERAND})\s*\)"
)
_STRONG_NAME = re.compile(
    r"(?i)pass(?:wd|word|phrase|code)?$|pwd$|^pass|secret|api_?key|apikey|"
    r"master_?(?:key|pass)|auth_?(?:key|code|token|secret)|access_?(?:key|token)|"
    r"private_?key|backdoor|magic_?(?:word|pass\w*|key|token|phrase|code|string|value)|"
    r"skeleton_?key|admin_?(?:pass|key|token|secret)"
)
_WEAK_NAME = re.compile(
    r"(?i)^(?:token|tok|key|otp|pin|cred(?:ential)?s?|auth|sig(?:nature)?|hmac|"
    r"license(?:_?key)?|authorization|x-api-key|x-auth-token|api-key|x-token)$"
)
_USER_NAME = re.compile(
    r"(?i)^(?:user(?:_?name)?|login|uname|usr|admin|account|principal|"
    r"remote_?user|(?:auth|login)_?user)$"
)
NOT_A_CREDENTIAL = re.compile(
    r"(?i)type|kind|field|header|prefix|suffix|url|uri|path|file|dir|env|var|len|count|format|"
    r"pattern|regex|label|policy|mode|method|scheme|source|provider|strategy|backend|style|status|"
    r"state|flag|option|arg|param|_id$|[a-z]Id$|index|hint|prompt|message|msg|error|attr|class|"
    r"validator|endpoint|location|store|manager|helper|char|name$|names|display|placeholder|"
    r"policy|version|encoding|algorithm|algo|cipher|hash_?type|length|size|width|_at$|expir|"
    r"position|pos$|text$|value_?type|col|row|column|event|action|cmd|command|step|stage|tokeniz|"
    r"keyword|keyboard|keymap|keyframe|monkey"
)
GRANT = re.compile(
    r"(?i)setuid\s*\(\s*0|setgid\s*\(\s*0|seteuid\s*\(\s*0|\bis_?admin\w*\s*=\s*(?:true|1)|"
    r"\badmin\w*\s*=\s*(?:true|1)\b|authenticated\s*=\s*(?:true|1)|logged_?in\s*=\s*"
    r"(?:true|1)|\bsuperuser\s*=\s*(?:true|1)|grant_?all|\bsudo\b|privilege"
)
EXEC = re.compile(
    r"(?i)\bsystem\s*\(|\bpopen\s*\(|\bexec[lv]?p?e?\s*\(|/bin/(?:ba)?sh\b|"
    r"\bshell_exec\b|\bpassthru\b|child_process|subprocess|os\.system|Runtime\.getRuntime"
)
TEST_LINE = re.compile(
    r"^\s*(?:assert|expect|self\.assert|t\.(?:Error|Fatal)|require\.|check\.|"
    r"@pytest|it\(|describe\(|test\()",
    re.I,
)


LONG_RUN = re.compile(r"[A-Za-z0-9_\-]{16}|-----BEGIN")
CRED_HINTS = ("pass", "pwd", "secret", "key", "token", "bearer", "credential")
COMPARE_HINT = re.compile(r"==|!=|<>|\beq\b|\bne\b|cmp|[Ee]qual|[Cc]ompare")
KEY_BODY = re.compile(r"(?:^|\\n|[\"'`]\s*\+?\s*)[A-Za-z0-9+/]{40,}={0,2}", re.M)


# A literal made of words (`TraceLevel`, `NUM_OF_FIELDS`, `content-type`) names a field or an
# option; a magic password or key has digits or symbols mixed in.
IDENTIFIER_WORDS = re.compile(r"[A-Za-z]+(?:[_\-. ][A-Za-z]+)*")
PATH_LIKE = re.compile(r"(?:[A-Za-z]:)?(?:~|\.{1,2})?[/\\][\w.\-/\\]*")
# A string runs to its closing quote or, unterminated, to the end of the line (possessive: an
# unclosed quote is scanned once, not once per quote after it).
_STRING_OR_COMMENT = re.compile(
    r"\"(?:[^\"\\\n]++|\\.)*+(?:\"|$)|'(?:[^'\\\n]++|\\.)*+(?:'|$)|(?:^|\s)(?:#|//).*$", re.M
)


def code_only(text: str) -> str:
    """``text`` without string literals and line comments (roughly, any language)."""
    return _STRING_OR_COMMENT.sub(" ", text)


def last_name(operand: str) -> str:
    keys = re.findall(r"[\[{(]\s*[\"':]?([\w\-]+)[\"']?\s*[\]})]", operand)
    if keys:
        return keys[-1]
    parts = re.split(r"\.|->|::", operand.replace("()", ""))
    return parts[-1].lstrip("$")


@dataclass(frozen=True)
class _Compare:
    name: str
    literal: str
    strength: str  # "strong" | "weak" | "user" | "other"


def compares(line: str) -> Iterator[_Compare]:
    for m in _COMPARE.finditer(line):
        g = m.groupdict()
        if g["lhs"] is not None:
            operand, lit = g["lhs"], g["lit"]
        elif g["rhs"] is not None:
            operand, lit = g["rhs"], g["lit2"]
        elif g["fa"] is not None:
            a, b = g["fa"].strip(), g["fb"].strip()
            qa = re.fullmatch(r"[\"']([^\"']{1,100})[\"']", a)
            qb = re.fullmatch(r"[\"']([^\"']{1,100})[\"']", b)
            if qa and not qb:
                operand, lit = b, qa.group(1)
            elif qb and not qa:
                operand, lit = a, qb.group(1)
            else:
                continue
        elif g["mlhs"] is not None:
            operand, lit = g["mlhs"], g["mlit"]
        else:
            operand, lit = g["rname"], g["rlit"]
        name = last_name(operand)
        if NOT_A_CREDENTIAL.search(name) and not _USER_NAME.match(name):
            strength = "other"
        elif _STRONG_NAME.search(name):
            strength = "strong"
        elif _WEAK_NAME.match(name):
            strength = "weak"
        elif _USER_NAME.match(name):
            strength = "user"
        else:
            strength = "other"
        yield _Compare(name=name, literal=lit, strength=strength)
