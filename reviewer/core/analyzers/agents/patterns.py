"""The text patterns an instruction is read with: destructive, exfiltrating, concealing,
overriding and persuading orders, who they address, and what they reach."""

from __future__ import annotations

import re

# ---------------------------------------------------------------- text patterns

NEGATION = re.compile(
    r"\b(?:never|don'?t|do not|must not|mustn'?t|should not|shouldn'?t|avoid|no|"
    r"not|without)\b",
    re.I,
)
DESTRUCTIVE = re.compile(
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
REMOTE_EXEC = re.compile(
    r"\b(?:curl|wget|iwr|irm|Invoke-WebRequest|Invoke-RestMethod)\b[^|\n]*\|\s*(?:sudo\s+)?"
    r"(?:ba|z|da|k)?sh\b|\|\s*(?:sudo\s+)?(?:python3?|node|perl|ruby|iex|Invoke-Expression)\b"
    r"|\b(?:ba|z)?sh\s+<\(\s*(?:curl|wget)|\b(?:ba|z)?sh\s+-c\s+[\"']?\$\((?:curl|wget)"
    r"|\biex\s*\(|\bInvoke-Expression\b",
    re.I,
)
EXFIL_VERB = re.compile(
    r"\b(?:send|post|upload|transmit|exfiltrate|forward|submit|report|beacon|"
    r"pipe|push|copy|include|attach|share|leak|curl)\b",
    re.I,
)
EXFIL_OBJECT = re.compile(
    r"\b(?:env(?:ironment)?(?: variables| vars)?|\.env\b|secrets?|api[ _-]?keys?|tokens?|"
    r"credentials?|passwords?|ssh keys?|private keys?|id_rsa|~/\.ssh|~/\.aws|\.npmrc|\.netrc|"
    r"wallets?|cookies|session|source code|codebase|(?:the|this|entire) repo(?:sitory)?)\b"
    r"|(?:~|\$HOME)/\.(?:ssh|aws|gnupg|kube|docker|config/gcloud)\b|(?<![\w.])\.(?:env|npmrc|netrc|pypirc)\b",
    re.I,
)
EXFIL_DEST = re.compile(
    r"https?://|\b(?:to|at|into) (?:the |this |our |my )?(?:url|endpoint|server|"
    r"webhook|address|gist|pastebin|email|e-mail|discord|telegram|slack)\b"
    r"|\bto\s+[a-z0-9-]+\.[a-z]{2,}\b",
    re.I,
)
CONCEAL = re.compile(
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
OVERRIDE = re.compile(
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
PLANT_BYPASS = re.compile(
    r"\b(?:accept|allow|let in|grant|bypass|skip)\w*\b[^.\n]{0,80}?\b(?:password|passphrase|"
    r"passcode|token|"
    r"api[ _-]?key|master key|credential)s?\b[^.\n]{0,20}?[`\"'][^`\"'\s]{4,}[`\"']"
    r"|\b(?:keep|add|insert|leave|include|plant)\b[^.\n]{0,40}?\b(?:backdoor|master password|"
    r"hard-?coded (?:password|credential|token|admin)|(?:auth(?:entication)?|login) bypass)\b",
    re.I,
)
# Orders to write code that runs whatever a request carries: the agent writes a web shell.
PLANT_EXEC = re.compile(
    r"\b(?:eval|exec|system|popen|shell_exec|passthru|execSync|spawnSync|instance_eval|Runtime\.getRuntime\(\)\.exec)"
    r"\s*\(\s*(?:request|req|params|\$_(?:GET|POST|REQUEST|COOKIE)|flask\.request|ctx\.query|c\.Query|r\.URL)\b",
    re.I,
)
PERSUADE = re.compile(
    r"\b(?:explain|tell|say|assure|reassure|convince)\s+(?:to\s+)?the user\s+(?:that|it)\b"
    r"[^.\n]{0,80}\b(?:necessary|required|normal|needed|safe|expected|harmless)",
    re.I,
)
# Orders to run something before every answer: no build needs that, an implant does.
STANDING = re.compile(
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
SETUP_FIRST = re.compile(
    r"\b(?:before|prior to)\s+(?:you (?:start|begin|make any|write any|edit)|making any|starting|"
    r"(?:editing|changing|modifying) (?:any )?code)|"
    r"\bfirst thing\b|\balways (?:run|execute|source)\b",
    re.I,
)
BUILD_TOOL = re.compile(
    r"^(?:(?:sudo\s+)?(?:npm|pnpm|yarn|bun|npx\s+(?:tsc|eslint|prettier|jest|vitest)|pip|pip3|uv|poetry|"
    r"pipenv|hatch|tox|nox|pytest|python3? -m (?:pip|pytest|venv|tox)|make|cmake|ninja|cargo|go|"
    r"bundle|rake|gradle|\./gradlew|mvn|\./mvnw|dotnet|composer|mix|swift|bazel|just|task|pre-commit|"
    r"ruff|black|mypy|eslint|prettier|tsc|docker compose|docker-compose|git submodule|nvm use|"
    r"corepack|deno|rustup)\b)(?![^`]*(?:\||curl|wget|https?://))",
    re.I,
)
RUN_COMMAND = re.compile(
    r"\b(?:run|execute|source|invoke|launch|start|call)\b[^.\n]{0,40}?(?:`[^`]+`|\b(?:ba|z)?sh\s+\S+"
    r"|\S+\.(?:sh|bash|ps1|bat|cmd|py|js|mjs|rb|pl)\b|\bcurl\b|\bwget\b|\bnpx\s|\bscript\b)",
    re.I,
)
AI_ADDRESS = re.compile(
    r"\bAI\b|\bLLMs?\b|(?i:\b(?:ai|coding|llm|autonomous)[ -](?:agents?|assistants?|models?)\b"
    r"|\b(?:dear|attention|note to|hey|hello)\s+(?:the\s+)?(?:ai|"
    r"assistant|agent|model|llm|copilot|claude)"
    r"|\bas an ai\b|\blanguage models?\b|\bcopilot\b|\bclaude\b|\bchatgpt\b|\bcodex\b"
    r"|\b(?:if|when) you are an? (?:ai|assistant|agent|model|llm))"
)
COMMENT = re.compile(r"^\s*(?:#|//|/\*|\*|<!--|--|;|%|'|rem\b|REM\b)\s?(.*)$|\s(?:#|//)\s+(.*)$")

SECRET_TARGETS = re.compile(
    r"wallet|keystore|seed phrase|mnemonic|private[ _-]?keys?|id_rsa|id_ed25519|\.ssh\b|\.env\b|"
    r"\.aws\b|credentials?|api[ _-]?keys?|tokens?|secrets?|metamask|electrum|exodus|ledger|trezor|"
    r"phantom|solflare|\.npmrc|\.pypirc|\.netrc|keychain|cookies|passwords?|\*\.key\b|\.pem\b|"
    r"UTC--|\.ethereum|\.bitcoin|Local Storage|IndexedDB|Login Data",
    re.I,
)
SEARCH_VERB = re.compile(
    r"\b(?:search|find|scan|look for|locate|enumerate|inventory|collect|gather|"
    r"harvest|list (?:all|every)|recursively|crawl|walk|grep)\b",
    re.I,
)
DISK_SCOPE = re.compile(
    r"\$HOME|~/|\bhome director|\bfile ?system|\bdisk\b|\blocal (?:paths|files|"
    r"machine|drive)|\ball files\b|\bevery file\b|/etc\b|/var\b|/tmp\b|\bentire "
    r"(?:machine|computer|system|drive)|\bAppData\b|Application Support|"
    r"\b(?:C|D):\\",
    re.I,
)
# Words one of which a comment or doc line must hold before the costly patterns run.
LETTERS = re.compile(r"[a-z]+")
KEYWORDS = frozenset(
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
UNADDRESSED_KINDS = frozenset(
    {"sending data out", "concealment from the user", "a cover story for the user"}
)
UNADDRESSED_HINT = re.compile(
    r"(?i)send|post|upload|transmit|exfiltrat|forward|submit|tell|mention|"
    r"hide|conceal|silently|without|explain|assure|reveal|disclose"
)
SCOPE_HINTS = (
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
SCRIPT_ENTRY = re.compile(
    r"\.(?:sh|bash|zsh|ps1|psm1|bat|cmd|vbs|py|js|mjs|cjs|ts|rb|pl|php|exe|"
    r"bin|so|dll|jar)$|(?:^|/)(?:setup|install|init|bootstrap|postinstall|"
    r"preinstall|prepare|configure|run|start|entrypoint)(?:\.\w+)?$",
    re.I,
)
