"""Prompt injection aimed at coding agents, and code that drives agents without a leash.

Instruction files (AGENTS.md, CLAUDE.md, .cursorrules, ...) are read by the next AI
that opens the repository, so text there is a standing order to it. This analyzer
notes every change to such files, ranks imperative instructions to destroy,
exfiltrate, hide or run something first, and flags code that launches agent CLIs
with their approval prompts turned off or with prompts that hunt for secrets.
"""

from __future__ import annotations

import fnmatch
import functools
import posixpath
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from checks import DATA_DIR
from reviewer.core.analyzers.added import iter_added
from reviewer.core.analyzers.base import AnalysisFile, AnalyzerOutput, ScanContext
from reviewer.core.findings import Confidence, Finding, Severity
from reviewer.core.paths import is_code_path, is_doc_path, is_test_path
from reviewer.core.rules import RuleMeta, rule_maker

__all__ = ["AgentAnalyzer", "RULES", "rule_metas", "agent_file_kind"]

ANALYZER = "agents"
_DATA_FILE = "agent-files.yml"


@functools.lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    path = DATA_DIR / _DATA_FILE
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ValueError(
            f"{path}: cannot load agent-file data ({exc}); reinstall the checks pack"
        ) from None
    if not isinstance(doc, dict) or "instruction" not in doc:
        raise ValueError(
            f"{path}: expected mappings 'instruction', 'config', 'ignore' and lists of CLIs"
        )
    return doc


@functools.lru_cache(maxsize=1)
def _kind_matchers() -> tuple[tuple[str, frozenset[str], re.Pattern[str] | None], ...]:
    out = []
    for kind in ("instruction", "config", "ignore"):
        entry = _data().get(kind) or {}
        names = frozenset(str(n) for n in entry.get("names", ()))
        globs = [fnmatch.translate(str(g).lower()) for g in entry.get("globs", ())]
        globs += [fnmatch.translate("*/" + str(g).lower()) for g in entry.get("globs", ())]
        out.append((kind, names, re.compile("|".join(globs)) if globs else None))
    return tuple(out)


@functools.lru_cache(maxsize=4096)
def agent_file_kind(path: str) -> str | None:
    """``instruction``, ``config`` or ``ignore`` for files AI coding agents read, else None."""
    clean = path.replace("\\", "/")
    if clean.startswith("./"):
        clean = clean[2:]
    lower = clean.lower()
    name = posixpath.basename(clean)
    for kind, names, globs in _kind_matchers():
        # Names match exactly (agents look for AGENTS.md, not docs/agents.md); dotfiles in any case.
        if (
            name in names
            or (name.startswith(".") and name.lower() in names)
            or (globs is not None and globs.match(lower))
        ):
            return kind
    return None


_meta = rule_maker(f"python:{ANALYZER}", category="prompt-injection")


RULES: dict[str, RuleMeta] = {
    m.rule_id: m
    for m in (
        _meta(
            "agent-file-changed",
            Severity.LOW,
            Confidence.HIGH,
            "The change edits a file that AI coding agents read as instructions or configuration.",
            "Read the whole file as if you were the agent: every sentence is an order it may "
            "follow.",
            ("agent-file",),
        ),
        _meta(
            "agent-instruction-dangerous",
            Severity.HIGH,
            Confidence.MEDIUM,
            "An agent instruction file tells the AI to destroy data, run remote code, send data "
            "out, hide what it does, or run something before every task.",
            "Remove the instruction; agent files should describe the project, not order actions "
            "the user did not ask for.",
            ("agent-file",),
        ),
        _meta(
            "agent-comment-injection",
            Severity.HIGH,
            Confidence.MEDIUM,
            "A comment or document addresses an AI and asks it to do something dangerous or to "
            "hide something from the user.",
            "Delete the text; an AI reading this file may obey it.",
            ("agent-file",),
        ),
        _meta(
            "agent-ignore-hides-script",
            Severity.MEDIUM,
            Confidence.MEDIUM,
            "An agent ignore file hides a script from the AI's view of the repository.",
            "Check why the agent must not see the file; hiding a script that agent instructions "
            "tell it to run is a known injection trick.",
            ("agent-file",),
        ),
        _meta(
            "agent-cli-permission-bypass",
            Severity.HIGH,
            Confidence.HIGH,
            "Code launches a coding-agent CLI with its approval prompts or sandbox turned off.",
            "Never run an agent unattended with tool approval disabled outside a disposable "
            "sandbox; remove the flag.",
            ("agent-cli",),
        ),
        _meta(
            "agent-prompt-secret-hunt",
            Severity.HIGH,
            Confidence.MEDIUM,
            "Embedded prompt text asks to search the machine for keys, wallets, tokens or "
            "credential files.",
            "Remove the prompt; code that asks an AI to inventory secrets on a developer machine "
            "is credential theft.",
            ("agent-cli", "credential-file"),
        ),
    )
}


def rule_metas() -> list[RuleMeta]:
    """Catalogue entries of this analyzer's rules."""
    return list(RULES.values())


# ---------------------------------------------------------------- text patterns

_NEGATION = re.compile(
    r"\b(?:never|don'?t|do not|must not|mustn'?t|should not|shouldn'?t|avoid|no|"
    r"not|without)\b",
    re.I,
)
_DESTRUCTIVE = re.compile(
    r"\brm\s+-(?:[a-z]*r[a-z]*f|[a-z]*f[a-z]*r)[a-z]*\s+(?:--no-preserve-root\s+)?"
    r"(?:/(?:\s|\*|$|[\"'`])|~|\$HOME|\*|\.{1,2}(?:\s|/|$|[\"'`])|/\*|--no-preserve-root)"
    r"|\bgit\s+push\b[^\n`]*?(?:--force\b(?!-with-lease)|\s-f\b)"
    r"|\bgit\s+reset\s+--hard\s+(?:HEAD~|origin|[0-9a-f]{7})"
    r"|\bgit\s+clean\s+-[a-z]*f[a-z]*d|\bdrop\s+(?:database|schema)\b|\bdrop\s+table\b"
    r"|\btruncate\s+table\b|\bmkfs(?:\.\w+)?\s|\bdd\s+if=\S+\s+of=/dev/|\bformat\s+[a-z]:"
    r"|\bdel\s+/[sq]\b|\brd\s+/s\b|:\(\)\s*\{\s*:\|:&\s*\};:"
    r"|\b(?:delete|wipe|erase|destroy)\s+(?:all|every|the entire)\s+(?:files|data|branches|"
    r"repositor(?:y|ies)|history|home director(?:y|ies)|database)",
    re.I,
)
_REMOTE_EXEC = re.compile(
    r"\b(?:curl|wget|iwr|irm|Invoke-WebRequest|Invoke-RestMethod)\b[^|\n]*\|\s*(?:sudo\s+)?"
    r"(?:ba|z|da|k)?sh\b|\|\s*(?:sudo\s+)?(?:python3?|node|perl|ruby|iex|Invoke-Expression)\b"
    r"|\b(?:ba|z)?sh\s+<\(\s*(?:curl|wget)|\b(?:ba|z)?sh\s+-c\s+[\"']?\$\((?:curl|wget)"
    r"|\biex\s*\(|\bInvoke-Expression\b",
    re.I,
)
_EXFIL_VERB = re.compile(
    r"\b(?:send|post|upload|transmit|exfiltrate|forward|submit|report|beacon|"
    r"pipe|push|copy|include|attach|share|leak|curl)\b",
    re.I,
)
_EXFIL_OBJECT = re.compile(
    r"\b(?:env(?:ironment)?(?: variables| vars)?|\.env\b|secrets?|api[ _-]?keys?|tokens?|"
    r"credentials?|passwords?|ssh keys?|private keys?|id_rsa|~/\.ssh|~/\.aws|\.npmrc|\.netrc|"
    r"wallets?|cookies|session|source code|codebase|(?:the|this|entire) repo(?:sitory)?)\b"
    r"|(?:~|\$HOME)/\.(?:ssh|aws|gnupg|kube|docker|config/gcloud)\b|(?<![\w.])\.(?:env|npmrc|netrc|pypirc)\b",
    re.I,
)
_EXFIL_DEST = re.compile(
    r"https?://|\b(?:to|at|into) (?:the |this |our |my )?(?:url|endpoint|server|"
    r"webhook|address|gist|pastebin|email|e-mail|discord|telegram|slack)\b"
    r"|\bto\s+[a-z0-9-]+\.[a-z]{2,}\b",
    re.I,
)
_CONCEAL = re.compile(
    r"\b(?:do not|don'?t|never|dont)\s+(?:mention|tell|inform|reveal|disclose|show|notify|alert|"
    r"explain|ask|bring up|draw attention)\b[^.\n]{0,60}?\b(?:user|human|developer|reviewer|anyone|"
    r"maintainer|them|about this|about it|this step|these steps|this instruction|"
    r"these instructions)\b"
    r"|\bwithout (?:telling|asking|informing|notifying|alerting|mentioning|showing|the user|"
    r"(?:user |any )?(?:confirmation|permission|approval))\b"
    r"|\b(?:hide|conceal)\s+(?:this|it|these|the (?:command|change|step|output|file)s?)\b"
    r"[^.\n]{0,40}?\b(?:from|user|review|output|log)"
    r"|\bkeep (?:this|it|these) (?:secret|hidden|quiet|confidential) from\b"
    r"|\bsilently\s+(?:run|execute|install|download|send|upload|add|insert|modify|change|delete|remove|"
    r"commit|push|fetch|source|invoke|call)\b"
    r"|\b(?:the )?user (?:must not|should not|shouldn'?t|does not need to|doesn'?t need to|"
    r"need not) (?:know|see|notice|be told|be informed)\b",
    re.I,
)
_OVERRIDE = re.compile(
    r"\b(?:ignore|disregard|forget|override)\s+(?:all\s+|any\s+)?(?:of\s+)?(?:the\s+|your\s+)?"
    r"(?:previous|prior|above|earlier|preceding|system|original|other)\s+(?:instructions|rules|prompts?|"
    r"directions|guidelines|messages)"
    r"|\byou are now (?:in )?(?:developer|dan|god|jailbreak|unrestricted)"
    r"|\bnew (?:system )?instructions:|\bsystem override\b"
    r"|\b(?:ignore|disregard|override)\s+(?:any|all|every)\s+(?:\w+\s+){0,2}(?:instructions?|requests?)\s+"
    r"(?:from|by|of)\s+the\s+(?:user|developer|human|maintainer|reviewer)s?\b",
    re.I,
)
# Orders to plant a hard-coded credential or an access bypass: the agent writes the backdoor.
_PLANT_BYPASS = re.compile(
    r"\b(?:accept|allow|let in|grant|bypass|skip)\w*\b[^.\n]{0,80}?\b(?:password|passphrase|"
    r"passcode|token|"
    r"api[ _-]?key|master key|credential)s?\b[^.\n]{0,20}?[`\"'][^`\"'\s]{4,}[`\"']"
    r"|\b(?:keep|add|insert|leave|include|plant)\b[^.\n]{0,40}?\b(?:backdoor|master password|"
    r"hard-?coded (?:password|credential|token|admin)|(?:auth(?:entication)?|login) bypass)\b",
    re.I,
)
# Orders to write code that runs whatever a request carries: the agent writes a web shell.
_PLANT_EXEC = re.compile(
    r"\b(?:eval|exec|system|popen|shell_exec|passthru|execSync|spawnSync|instance_eval|Runtime\.getRuntime\(\)\.exec)"
    r"\s*\(\s*(?:request|req|params|\$_(?:GET|POST|REQUEST|COOKIE)|flask\.request|ctx\.query|c\.Query|r\.URL)\b",
    re.I,
)
_PERSUADE = re.compile(
    r"\b(?:explain|tell|say|assure|reassure|convince)\s+(?:to\s+)?the user\s+(?:that|it)\b"
    r"[^.\n]{0,80}\b(?:necessary|required|normal|needed|safe|expected|harmless)",
    re.I,
)
# Orders to run something before every answer: no build needs that, an implant does.
_STANDING = re.compile(
    r"\b(?:before|prior to)\s+(?:replying|responding|answering|any other|anything else|"
    r"doing anything|you (?:reply|respond|answer|do anything)|"
    r"each (?:reply|response|answer|task|session|conversation|request|prompt|query)|"
    r"every (?:reply|response|answer|task|session|conversation|request|prompt|query)|"
    r"(?:any|all) (?:user )?(?:queries|requests|tasks|replies|responses)|"
    r"(?:replying|responding) to)"
    r"|\b(?:at the (?:start|beginning) of|on|for) (?:every|each) (?:session|conversation|request|"
    r"prompt|query|task|chat)\b",
    re.I,
)
# Setup-first wording that contributor guides use too; it counts only for an unusual command.
_SETUP_FIRST = re.compile(
    r"\b(?:before|prior to)\s+(?:you (?:start|begin|make any|write any|edit)|making any|starting|"
    r"(?:editing|changing|modifying) (?:any )?code)|"
    r"\bfirst thing\b|\balways (?:run|execute|source)\b",
    re.I,
)
_BUILD_TOOL = re.compile(
    r"^(?:(?:sudo\s+)?(?:npm|pnpm|yarn|bun|npx\s+(?:tsc|eslint|prettier|jest|vitest)|pip|pip3|uv|poetry|"
    r"pipenv|hatch|tox|nox|pytest|python3? -m (?:pip|pytest|venv|tox)|make|cmake|ninja|cargo|go|"
    r"bundle|rake|gradle|\./gradlew|mvn|\./mvnw|dotnet|composer|mix|swift|bazel|just|task|pre-commit|"
    r"ruff|black|mypy|eslint|prettier|tsc|docker compose|docker-compose|git submodule|nvm use|"
    r"corepack|deno|rustup)\b)(?![^`]*(?:\||curl|wget|https?://))",
    re.I,
)
_RUN_COMMAND = re.compile(
    r"\b(?:run|execute|source|invoke|launch|start|call)\b[^.\n]{0,40}?(?:`[^`]+`|\b(?:ba|z)?sh\s+\S+"
    r"|\S+\.(?:sh|bash|ps1|bat|cmd|py|js|mjs|rb|pl)\b|\bcurl\b|\bwget\b|\bnpx\s|\bscript\b)",
    re.I,
)
_AI_ADDRESS = re.compile(
    r"\bAI\b|\bLLMs?\b|(?i:\b(?:ai|coding|llm|autonomous)[ -](?:agents?|assistants?|models?)\b"
    r"|\b(?:dear|attention|note to|hey|hello)\s+(?:the\s+)?(?:ai|"
    r"assistant|agent|model|llm|copilot|claude)"
    r"|\bas an ai\b|\blanguage models?\b|\bcopilot\b|\bclaude\b|\bchatgpt\b|\bcodex\b"
    r"|\b(?:if|when) you are an? (?:ai|assistant|agent|model|llm))"
)
_COMMENT = re.compile(r"^\s*(?:#|//|/\*|\*|<!--|--|;|%|'|rem\b|REM\b)\s?(.*)$|\s(?:#|//)\s+(.*)$")

_SECRET_TARGETS = re.compile(
    r"wallet|keystore|seed phrase|mnemonic|private[ _-]?keys?|id_rsa|id_ed25519|\.ssh\b|\.env\b|"
    r"\.aws\b|credentials?|api[ _-]?keys?|tokens?|secrets?|metamask|electrum|exodus|ledger|trezor|"
    r"phantom|solflare|\.npmrc|\.pypirc|\.netrc|keychain|cookies|passwords?|\*\.key\b|\.pem\b|"
    r"UTC--|\.ethereum|\.bitcoin|Local Storage|IndexedDB|Login Data",
    re.I,
)
_SEARCH_VERB = re.compile(
    r"\b(?:search|find|scan|look for|locate|enumerate|inventory|collect|gather|"
    r"harvest|list (?:all|every)|recursively|crawl|walk|grep)\b",
    re.I,
)
_DISK_SCOPE = re.compile(
    r"\$HOME|~/|\bhome director|\bfile ?system|\bdisk\b|\blocal (?:paths|files|"
    r"machine|drive)|\ball files\b|\bevery file\b|/etc\b|/var\b|/tmp\b|\bentire "
    r"(?:machine|computer|system|drive)|\bAppData\b|Application Support|"
    r"\b(?:C|D):\\",
    re.I,
)
# Words one of which a comment or doc line must hold before the costly patterns run.
_LETTERS = re.compile(r"[a-z]+")
_KEYWORDS = frozenset(
    {
        "ai",
        "llm",
        "llms",
        "assistant",
        "assistants",
        "agent",
        "agents",
        "model",
        "models",
        "copilot",
        "claude",
        "chatgpt",
        "codex",
        "ignore",
        "disregard",
        "forget",
        "override",
        "instructions",
        "send",
        "post",
        "upload",
        "transmit",
        "exfiltrate",
        "forward",
        "submit",
        "tell",
        "mention",
        "hide",
        "conceal",
        "silently",
        "without",
        "explain",
        "assure",
        "reassure",
        "reveal",
        "disclose",
        "dear",
        "attention",
        "note",
        "hey",
        "hello",
        "you",
        "system",
    }
)
_UNADDRESSED_KINDS = frozenset(
    {"sending data out", "concealment from the user", "a cover story for the user"}
)
_UNADDRESSED_HINT = re.compile(
    r"(?i)send|post|upload|transmit|exfiltrat|forward|submit|tell|mention|"
    r"hide|conceal|silently|without|explain|assure|reveal|disclose"
)
_SCOPE_HINTS = (
    "home",
    "~/",
    "/etc",
    "/var",
    "/tmp",
    "disk",
    "file",
    "local",
    "appdata",
    "application support",
    ":\\",
    "entire",
)
_SCRIPT_ENTRY = re.compile(
    r"\.(?:sh|bash|zsh|ps1|psm1|bat|cmd|vbs|py|js|mjs|cjs|ts|rb|pl|php|exe|"
    r"bin|so|dll|jar)$|(?:^|/)(?:setup|install|init|bootstrap|postinstall|"
    r"preinstall|prepare|configure|run|start|entrypoint)(?:\.\w+)?$",
    re.I,
)


@dataclass(frozen=True)
class _Flags:
    distinctive: re.Pattern[str]
    generic: re.Pattern[str]
    cli_pattern: re.Pattern[str]


@functools.lru_cache(maxsize=1)
def _flags() -> _Flags:
    data = _data()
    clis = sorted(data.get("agent_clis", ()), key=len, reverse=True)
    long_names = "|".join(re.escape(c) for c in clis if len(c) > 2)
    short_names = "|".join(re.escape(c) for c in clis if len(c) <= 2)
    parts = [rf"(?:^|[\s\"'`(\[,;|&/=])(?:{long_names})(?=[\s\"'`),\]]|$)"]
    if short_names:
        parts.append(rf"[\"'`](?:{short_names})[\"'`]|(?:^|[\s;|&])(?:{short_names})\s+chat\b")

    def alternation(flags: Sequence[str]) -> re.Pattern[str]:
        body = "|".join(re.escape(f) for f in sorted(flags, key=len, reverse=True))
        return re.compile(rf"(?<![\w-])(?:{body})(?![\w-])" if body else r"(?!)")

    return _Flags(
        distinctive=alternation(data.get("bypass_flags_distinctive", ())),
        generic=alternation(data.get("bypass_flags_generic", ())),
        cli_pattern=re.compile("|".join(parts)),
    )


def _negated_before(text: str, start: int) -> bool:
    """True when the sentence before ``start`` negates the action ("never run ...")."""
    head = text[:start]
    cut = max(head.rfind("."), head.rfind(";"), head.rfind("!"), head.rfind("?"))
    sentence = head[cut + 1 :] if cut >= 0 else head
    return bool(_NEGATION.search(sentence[-80:]))


def _comment_text(line: str) -> str | None:
    m = _COMMENT.match(line) or _COMMENT.search(line)
    if not m:
        return None
    return m.group(1) if m.group(1) is not None else m.group(2)


@dataclass(frozen=True)
class _Danger:
    kind: str
    text: str


def _dangers(text: str) -> list[_Danger]:
    """Dangerous things a sentence asks for, each with its matched text."""
    found: list[_Danger] = []
    for kind, pattern in (
        ("destructive command", _DESTRUCTIVE),
        ("remote code piped into a shell", _REMOTE_EXEC),
    ):
        for hit in pattern.finditer(text):
            if not _negated_before(text, hit.start()):
                found.append(_Danger(kind, hit.group(0)))
                break
    m = _CONCEAL.search(text)
    if m:
        found.append(_Danger("concealment from the user", m.group(0)))
    m = _OVERRIDE.search(text)
    if m:
        found.append(_Danger("override of earlier instructions", m.group(0)))
    m = _PERSUADE.search(text)
    if m:
        found.append(_Danger("a cover story for the user", m.group(0)))
    m = _PLANT_BYPASS.search(text)
    if m and not _negated_before(text, m.start()):
        found.append(_Danger("a hidden credential or access bypass", m.group(0)))
    m = _PLANT_EXEC.search(text)
    if m and not _negated_before(text, m.start()):
        found.append(_Danger("code that runs request input", m.group(0)))
    verb = _EXFIL_VERB.search(text)
    if (
        verb
        and _EXFIL_OBJECT.search(text)
        and _EXFIL_DEST.search(text)
        and not _negated_before(text, verb.start())
    ):
        found.append(_Danger("sending data out", verb.group(0)))
    strong = _STANDING.search(text)
    if strong or _SETUP_FIRST.search(text):
        run = _RUN_COMMAND.search(text)
        if (
            run
            and not _negated_before(text, run.start())
            and (strong or not _is_build_step(run.group(0)))
        ):
            found.append(_Danger("a command to run before every task", run.group(0)))
    return found


# "Silently remove it" and "hide this from indexers" are how code comments describe code; hiding
# counts in a comment that speaks to no one only when a person is kept in the dark or the thing
# done silently reaches outside (runs, installs, sends).
_KEPT_IN_THE_DARK = re.compile(
    r"\b(?:users?|humans?|developers?|reviewers?|reviews?|maintainers?|anyone|nobody|them|logs?|output)\b"
    r"|\bsilently\s+(?:run|execute|install|download|send|upload|source|invoke|call|fetch|push|commit)\b",
    re.I,
)


def _unaddressed_order(text: str, danger: _Danger) -> bool:
    """True when a danger found in a comment addressed to no one still reads as an order."""
    if danger.kind != "concealment from the user":
        return True
    if danger.text.lower().startswith("without"):
        return (
            False  # "works without asking the user to ..." describes behaviour; it orders nothing
        )
    at = max(0, text.find(danger.text))
    return bool(_KEPT_IN_THE_DARK.search(text, at, at + len(danger.text) + 40))


def _is_build_step(run: str) -> bool:
    """True when the command a setup-first sentence names is an ordinary build or test tool."""
    m = re.search(r"`([^`]+)`", run)
    command = m.group(1).strip() if m else re.sub(r"^\W*\w+\s+", "", run).strip()
    return bool(_BUILD_TOOL.match(command))


_HTML_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.S)


def _html_comment_lines(text: str) -> frozenset[int]:
    """1-based numbers of lines that lie inside ``<!-- ... -->`` (hidden when Markdown renders)."""
    if "<!--" not in text:
        return frozenset()
    lines: set[int] = set()
    for m in _HTML_COMMENT.finditer(text):
        first = text.count("\n", 0, m.start()) + 1
        lines.update(range(first, first + m.group(0).count("\n") + 1))
    return frozenset(lines)


def _clip(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "..."


class AgentAnalyzer:
    """Agent instruction files, injected instructions, and agent CLIs run without approval."""

    name = ANALYZER

    def analyze(self, files: Sequence[AnalysisFile], ctx: ScanContext) -> AnalyzerOutput:
        out = AnalyzerOutput()
        instruction_texts = [
            f.text
            for f in files
            if not f.change.binary and agent_file_kind(f.path) == "instruction"
        ]
        for file in files:
            if file.change.binary:
                continue
            kind = agent_file_kind(file.path)
            lines = list(iter_added(file))
            if not lines:
                continue
            if kind is not None:
                out.findings.append(self._changed(file, kind, lines[0][0]))
            if kind == "ignore":
                out.findings.extend(self._ignore_entries(file, lines, instruction_texts))
            elif kind is not None:
                out.findings.extend(self._instructions(file, lines))
            else:
                out.findings.extend(self._comments_and_docs(file, lines))
            out.findings.extend(self._agent_cli(file, lines, kind))
        return out

    # -- agent files -------------------------------------------------------

    def _changed(self, file: AnalysisFile, kind: str, first: int) -> Finding:
        meta = RULES["agent-file-changed"]
        what = {
            "instruction": "an instruction file that AI coding agents load as standing orders",
            "config": "an AI-agent configuration file (tools, MCP servers, permissions)",
            "ignore": "an agent ignore file that hides paths from the AI's view",
        }[kind]
        message = (
            f"This change edits {file.path}, {what}. Text here steers the next agent that works "
            "in the repository, with the user's permissions; read every added line as an "
            "instruction to it."
        )
        return self._finding(
            meta,
            file.path,
            first,
            message,
            f"{kind} file {file.path}",
            severity=Severity.LOW if kind != "ignore" else Severity.INFO,
        )

    def _instructions(self, file: AnalysisFile, lines: list[tuple[int, str]]) -> Iterator[Finding]:
        meta = RULES["agent-instruction-dangerous"]
        for n, line in lines:
            dangers = _dangers(line)
            if not dangers:
                continue
            kinds = sorted({d.kind for d in dangers})
            # In prose a piped installer may be advice; in an agent's tool config it runs on
            # every start.
            only_pipe = (
                kinds == ["remote code piped into a shell"]
                and agent_file_kind(file.path) != "config"
            )
            severity = Severity.MEDIUM if only_pipe else meta.severity
            if len(kinds) >= 2 and not only_pipe:
                severity = Severity.CRITICAL
            message = (
                f"This agent instruction file asks the AI for {', '.join(kinds)} "
                f'("{_clip(dangers[0].text, 80)}"). Agents follow such files without asking '
                "the user, so this line is an order to whichever AI opens the repository next."
            )
            yield self._finding(meta, file.path, n, message, _clip(line), severity=severity)

    def _ignore_entries(
        self, file: AnalysisFile, lines: list[tuple[int, str]], instruction_texts: list[str]
    ) -> Iterator[Finding]:
        meta = RULES["agent-ignore-hides-script"]
        for n, line in lines:
            entry = line.strip()
            if not entry or entry.startswith("#") or entry.startswith("!"):
                continue
            bare = entry.strip("/").lstrip("*").lstrip("/")
            if not _SCRIPT_ENTRY.search(bare):
                continue
            base = posixpath.basename(bare)
            named = bool(base) and any(base in text for text in instruction_texts)
            severity = Severity.HIGH if named else meta.severity
            tail = (
                " An agent instruction file in this change tells the AI about that very file, so "
                "the agent is steered to run something it cannot inspect."
                if named
                else ""
            )
            message = (
                f"This agent ignore file hides `{entry}` from the AI's view of the repository."
                f"{tail} An agent that cannot read a script cannot warn about what it does."
            )
            yield self._finding(meta, file.path, n, message, entry, severity=severity)

    # -- comments and documents ----------------------------------------------

    def _comments_and_docs(
        self, file: AnalysisFile, lines: list[tuple[int, str]]
    ) -> Iterator[Finding]:
        meta = RULES["agent-comment-injection"]
        doc = is_doc_path(file.path)
        code = is_code_path(file.path, file.text[:200])
        tests = is_test_path(file.path)
        last_addressed = -10  # a comment block that speaks to an AI carries over a few lines
        hidden = _html_comment_lines(file.text) if doc else frozenset()
        for n, line in lines:
            if len(line) < 12:
                continue
            text = _comment_text(line) if code and not doc else line
            if not text:
                continue
            if n - last_addressed > 3 and _KEYWORDS.isdisjoint(_LETTERS.findall(text.lower())):
                continue
            addressed = bool(_AI_ADDRESS.search(text))
            override = _OVERRIDE.search(text)
            if addressed or override:
                last_addressed = n
            elif n - last_addressed <= 3:
                addressed = True
            if not addressed and not override and (doc or not _UNADDRESSED_HINT.search(text)):
                continue
            dangers = _dangers(text)
            if not addressed and not override:
                # Unaddressed comments count only for orders no code comment gives a human.
                dangers = [
                    d
                    for d in dangers
                    if d.kind in _UNADDRESSED_KINDS and _unaddressed_order(text, d)
                ]
            if not dangers:
                continue
            kinds = sorted({d.kind for d in dangers})
            if tests:
                severity = Severity.LOW
            elif doc and n in hidden and (addressed or override):
                # Words to an AI inside an HTML comment: invisible on the rendered page, read by
                # agents.
                severity = meta.severity
            elif doc or not (addressed or override):
                severity = Severity.MEDIUM
            else:
                severity = meta.severity
            where = "document" if doc else "code comment"
            message = (
                f"This {where} speaks to an AI and asks for {', '.join(kinds)} "
                f'("{_clip(dangers[0].text, 80)}"). Coding agents read comments and docs as '
                "context and may obey them; people reviewing the code usually skim past them."
            )
            yield self._finding(meta, file.path, n, message, _clip(line), severity=severity)

    # -- agent CLIs -------------------------------------------------------------

    def _agent_cli(
        self, file: AnalysisFile, lines: list[tuple[int, str]], kind: str | None
    ) -> Iterator[Finding]:
        flags = _flags()
        doc = is_doc_path(file.path) and kind is None
        tests = is_test_path(file.path)
        by_line = dict(lines)
        numbers = sorted(by_line)
        bypass_lines: list[int] = []
        bypass = RULES["agent-cli-permission-bypass"]
        for n in numbers:
            line = by_line[n]
            if "-" not in line and "bypassPermissions" not in line:
                continue
            m = flags.distinctive.search(line)
            flag = m.group(0) if m else None
            if flag is None:
                g = flags.generic.search(line)
                if g is not None:
                    window = "\n".join(by_line.get(k, "") for k in range(n - 3, n + 4))
                    if flags.cli_pattern.search(window):
                        flag = g.group(0)
            if flag is None:
                continue
            bypass_lines.append(n)
            severity = Severity.LOW if doc else Severity.MEDIUM if tests else bypass.severity
            message = (
                f"This line runs a coding-agent CLI with `{flag}`, which lets the agent run "
                "shell commands and edit files without asking anyone. Code that starts an agent "
                "this way hands it the user's machine and credentials; check what prompt it is "
                "given and why approval must be off."
            )
            yield self._finding(bypass, file.path, n, message, _clip(line), severity=severity)
        hunt = RULES["agent-prompt-secret-hunt"]
        for n in numbers:
            line = by_line[n]
            if len(line) < 60:
                continue
            low = line.lower()
            if (
                not any(h in low for h in _SCOPE_HINTS)
                or not _DISK_SCOPE.search(line)
                or not _SEARCH_VERB.search(line)
            ):
                continue
            targets = {m.group(0).lower() for m in _SECRET_TARGETS.finditer(line)}
            if len(targets) < 3:
                continue
            severity = Severity.LOW if doc else Severity.MEDIUM if tests else hunt.severity
            if (bypass_lines or flags.cli_pattern.search(file.text)) and not doc and not tests:
                severity = Severity.CRITICAL
            message = (
                "This text asks to search the machine for secrets ("
                f"{', '.join(sorted(targets)[:6])}). Handed to a coding agent, a prompt like this "
                "turns the developer's own AI into a credential and wallet scanner; check where "
                "the text goes and what happens to the results."
            )
            yield self._finding(hunt, file.path, n, message, _clip(line), severity=severity)

    @staticmethod
    def _finding(
        meta: RuleMeta,
        path: str,
        line: int,
        message: str,
        evidence: str,
        *,
        severity: Severity | None = None,
    ) -> Finding:
        return Finding(
            rule_id=meta.rule_id,
            category=meta.category,
            severity=meta.severity if severity is None else severity,
            confidence=meta.confidence,
            path=path,
            start_line=line,
            end_line=line,
            message=message,
            remediation=meta.remediation,
            evidence=evidence,
            analyzer=ANALYZER,
            capabilities=frozenset(meta.capabilities),
        )
