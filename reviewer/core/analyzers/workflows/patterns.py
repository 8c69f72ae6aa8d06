"""The text patterns the workflow checks share: untrusted event text, network sends, secret
references, encoders, pinned and unpinned uses, privileged triggers.

Every pattern stays linear on adversarial input: scans after an anchor stop at the line cap,
leading blanks are matched possessively.
"""

from __future__ import annotations

import re

__all__ = [
    "ALL_SECRETS",
    "ARTIFACT_ACTIONS",
    "ENCODE",
    "ENV_DUMP",
    "HEAD_REF",
    "NET",
    "PIPE_SHELL",
    "PRIVILEGED_TRIGGERS",
    "PR_CHECKOUT_CMD",
    "REPO_TOKEN",
    "RUNS_ON_SELF",
    "SECRET_REF",
    "SEND",
    "SHA",
    "UNTRUSTED",
    "URL",
    "USES",
    "WRITE_PERMS",
    "first_party",
]

PRIVILEGED_TRIGGERS = ("pull_request_target", "workflow_run")
# Scans after an anchor word stop at the line cap (2,000 characters): unbounded, each `${{` or
# `curl` of a long run script rescanned the rest of it (100 KB of `${{ ` took over 10 s).
UNTRUSTED = re.compile(
    r"\$\{\{[^}]{0,2000}?(?:github\.event\.(?:issue|pull_request|comment|review|review_comment|discussion|"
    r"discussion_comment|head_commit|commits|pages|workflow_run)\b[\w.*\[\]'\"-]*"
    r"(?:title|body|message|name|label|ref|email|default_branch|page_name|head_branch|description|tag_name)"
    r"|github\.head_ref)[^}]{0,2000}+\}\}"
)
HEAD_REF = re.compile(
    r"github\.event\.pull_request\.head\.(?:sha|ref)|github\.head_ref|github\.event\.workflow_run\.head_(?:sha|branch)|"
    r"refs/pull/|github\.event\.pull_request\.merge_commit_sha|github\.event\.number|pull_request\.number"
)
PR_CHECKOUT_CMD = re.compile(
    r"\bgh\s+pr\s+checkout\b|\bgit\s+fetch\b[^\n]{0,2000}\bpull/|\bgit\s+checkout\b[^\n]{0,2000}\$\{\{\s*github\.(?:head_ref|event\.pull_request)"
)
SEND = re.compile(
    r"\bcurl\b[^\n|;]{0,2000}(?:\s-d\b|\s--data\S*|\s-F\b|\s--form\b|\s-T\b|\s--upload-file\b|\s-X\s*(?:POST|PUT)\b|\s--json\b)|"
    r"\bwget\b[^\n|;]{0,2000}--post-(?:data|file)|\b(?:nc|ncat|netcat|socat)\b\s+\S+\s+\d+|"
    r"Invoke-(?:WebRequest|RestMethod)\b[^\n]{0,2000}-Method\s+(?:Post|Put)|\bfetch\s*\([^)]{0,2000}method\s*:\s*['\"]POST|"
    r"\brequests\.(?:post|put)\(|/dev/tcp/",
    re.I,
)
NET = re.compile(
    r"\b(?:curl|wget|nc|ncat|netcat|socat|Invoke-WebRequest|Invoke-RestMethod|iwr|irm)\b|\bfetch\s*\(|/dev/tcp/",
    re.I,
)
URL = re.compile(r"(?:https?|ftp)://[^\s'\"\\)]+|\b\d{1,3}(?:\.\d{1,3}){3}\b")
ALL_SECRETS = re.compile(r"toJSON\(\s*secrets\s*\)", re.I)
ENV_DUMP = re.compile(
    r"\bprintenv\b(?!\s+\w)|(?:^|[;&|(`$]\s*)env\s*(?:$|[|>;)`])|\bexport\s+-p\b|\bset\s*\|"
    r"|/proc/(?:self|\d+|\$\$)/environ|toJSON\(\s*env\s*\)|\bos\.environ\b(?!\s*[.\[(]\s*(?:get)?)"
    r"|process\.env\b(?!\s*[.\[])|Get-ChildItem\s+env:",
    re.I | re.M,
)
SECRET_REF = re.compile(r"\$\{\{\s*secrets\.\w+\s*\}\}")
ENCODE = re.compile(r"\|\s*(?:base64|xxd|od\b|rev\b|openssl\s+(?:enc|base64))")
# A download run straight by a shell or interpreter: whatever the server returns runs with the
# step's env.
PIPE_SHELL = re.compile(
    r"\b(?:curl|wget)\b[^\n|;#]*+\|\s*(?:sudo\s+(?:-\S+\s+)*)?(?:\S*/)?(?:(?:ba|z|da)?sh|python[0-9.]*|node|perl|ruby)\b"
    r"|\b(?:ba|z)?sh\s+(?:-s\s+)?<\(\s*(?:curl|wget)\b|\beval\s+[\"']?\$\(\s*(?:curl|wget)\b"
)
REPO_TOKEN = re.compile(r"\$\{\{\s*secrets\.GITHUB_TOKEN\s*\}\}", re.I)
ARTIFACT_ACTIONS = ("actions/upload-artifact", "actions/cache", "actions/upload-pages-artifact")
WRITE_PERMS = (
    "contents",
    "packages",
    "id-token",
    "actions",
    "pull-requests",
    "deployments",
    "security-events",
    "statuses",
    "checks",
    "issues",
    "attestations",
    "pages",
)
USES = re.compile(r"""^\s*+-?\s*+uses\s*+:\s*+["']?([^"'\s#]+)""")
SHA = re.compile(r"^[0-9a-f]{40}$")
# Possessive leading blanks: `\s*-?\s*` could split a run of spaces in n ways, each followed by
# a scan of the rest of the line (a line of 4,000 spaces around a dash took minutes).
RUNS_ON_SELF = re.compile(r"^\s*+-?\s*+(?:runs-on\s*:)?.*\bself-hosted\b")


def first_party(uses: str) -> bool:
    owner = uses.strip().split("/", 1)[0].lower()
    return owner in ("actions", "github")
