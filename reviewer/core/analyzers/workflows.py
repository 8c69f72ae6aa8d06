"""CI workflows: zizmor's audits plus checks for what it does not look for.

GitHub Actions workflows (``.github/workflows/*.yml``) and action definitions
(``action.yml``) are audited by zizmor, offline, in one process per scan, when the whole
file is known. Gatehouse's own checks then look for the shapes of CI attacks zizmor does not
name: a privileged trigger that runs the pull request's code, the whole secrets context or
environment sent over the network, a new workflow that ships data out on every push, new
self-hosted runners and widened permissions. When only diff hunks are known, the checks
read the added lines and their visible context.

Severity follows "correlate, don't count": an unpinned action or a broad permission alone is
low; injection of untrusted text into a shell and secret exfiltration are high or critical.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Sequence

import yaml

from reviewer.core.analyzers.base import AnalysisFile, AnalyzerOutput, ScanContext
from reviewer.core.changeset import FileChange, FileStatus
from reviewer.core.findings import Confidence, Finding, Severity, SkipReason, Skipped
from reviewer.core.manifests.lines import KnownLines, known_lines
from reviewer.core.manifests.sources import host_of, is_suspicious_host
from reviewer.core.rules import RuleMeta, rule_maker
from reviewer.core.scan_tree import write_targets
from reviewer.core.changeset import text_lines

__all__ = ["WorkflowAnalyzer", "RULES", "is_workflow", "zizmor_binary"]

ANALYZER = "workflows"
_S, _C = Severity, Confidence


_meta = rule_maker(ANALYZER, languages=("github-actions",))


# zizmor audit id -> (category, Gatehouse severity, rationale). zizmor rates on its own scale;
# Gatehouse re-rates so that hygiene findings never fail a check on their own.
_ZIZMOR: dict[str, tuple[str, Severity, str]] = {
    "template-injection": ("ci-injection", _S.HIGH, "Untrusted event text is expanded into a shell or script."),
    "dangerous-triggers": ("ci-injection", _S.LOW, "A privileged trigger (pull_request_target, workflow_run) is used."),
    "overprovisioned-secrets": ("ci-secret-exfil", _S.MEDIUM, "The whole secrets context is handed to a step."),
    "unredacted-secrets": ("ci-secret-exfil", _S.MEDIUM, "A secret is used in a way that escapes log masking."),
    "github-env": ("ci-injection", _S.MEDIUM, "Untrusted data can reach GITHUB_ENV or GITHUB_PATH."),
    "insecure-commands": ("security-control-disabled", _S.MEDIUM, "Deprecated insecure workflow commands are re-enabled."),
    "hardcoded-container-credentials": ("hardcoded-credential", _S.MEDIUM, "Container registry credentials are written in the workflow."),
    "bot-conditions": ("ci-injection", _S.MEDIUM, "A spoofable actor check guards a privileged job."),
    "cache-poisoning": ("ci-injection", _S.LOW, "A release workflow restores a cache that others can write."),
    "artipacked": ("ci-secret-exfil", _S.LOW, "Checkout keeps the token in .git where artifacts can carry it."),
    "excessive-permissions": ("security-control-disabled", _S.LOW, "The job runs with broad token permissions."),
    "unpinned-uses": ("dependency-risk", _S.LOW, "An action is not pinned to a commit SHA."),
    "unpinned-images": ("dependency-risk", _S.LOW, "A container image is not pinned to a digest."),
    "secrets-inherit": ("ci-secret-exfil", _S.LOW, "Every secret is passed to a called workflow."),
    "obfuscation": ("obfuscated-exec", _S.LOW, "Workflow syntax is written in a needlessly obscure way."),
    "unsound-contains": ("ci-injection", _S.LOW, "A contains() condition can be bypassed."),
    "unsound-condition": ("ci-injection", _S.LOW, "A condition is always true."),
    "use-trusted-publishing": ("dependency-risk", _S.INFO, "A long-lived publishing token could be replaced by trusted publishing."),
    "ref-version-mismatch": ("dependency-risk", _S.LOW, "A pinned SHA does not match the version in its comment."),
    "misfeature": ("ci-injection", _S.LOW, "A GitHub Actions feature with known pitfalls is used."),
}
_ZIZMOR_DEFAULT = ("ci-injection", _S.LOW, "zizmor audit finding.")

RULES: dict[str, RuleMeta] = {m.rule_id: m for m in (
    *(_meta(f"zizmor-{ident}", cat, sev, _C.MEDIUM, why,
            f"See zizmor's documentation of the `{ident}` audit.", source="zizmor")
      for ident, (cat, sev, why) in _ZIZMOR.items()),
    _meta("wf-privileged-checkout-of-pr-code", "ci-injection", _S.HIGH, _C.HIGH,
          "A pull_request_target or workflow_run workflow checks out the pull request's code.",
          "Check out the base branch only, or move the work to a pull_request workflow without secrets."),
    _meta("wf-privileged-run-of-pr-code", "ci-injection", _S.CRITICAL, _C.HIGH,
          "A privileged workflow checks out the pull request's code and then runs commands in it.",
          "Never build or run pull-request code in pull_request_target/workflow_run jobs."),
    _meta("wf-untrusted-input-in-run", "ci-injection", _S.HIGH, _C.HIGH,
          "Text an outsider controls (titles, bodies, branch names) is expanded into a shell.",
          "Pass the value through an env: variable and quote it in the script."),
    _meta("wf-secrets-to-network", "ci-secret-exfil", _S.CRITICAL, _C.HIGH,
          "The whole secrets context or environment is sent over the network.",
          "Remove the step; rotate every secret the repository holds.",
          ("env-dump", "network-send")),
    _meta("wf-secret-to-suspicious-host", "ci-secret-exfil", _S.CRITICAL, _C.HIGH,
          "A secret is sent to a raw IP, tunnel, paste or request-collector host.",
          "Remove the step; rotate the secret.", ("env-read", "network-send", "suspicious-endpoint")),
    _meta("wf-secrets-to-remote-script", "ci-secret-exfil", _S.HIGH, _C.MEDIUM,
          "A step pipes a script downloaded at run time into a shell while secrets are in its environment.",
          "Vendor the script or pin it by checksum, and give the step only the secret it needs.",
          ("env-read", "network-fetch", "exec")),
    _meta("wf-secrets-to-artifact", "ci-secret-exfil", _S.CRITICAL, _C.MEDIUM,
          "The secrets context or environment is written to an artifact, cache or log.",
          "Never write secrets to files that are uploaded or printed.", ("env-dump",)),
    _meta("wf-secret-encoded-output", "ci-secret-exfil", _S.HIGH, _C.MEDIUM,
          "A secret is encoded before printing, which defeats log masking.",
          "Do not print secrets in any form.", ("decode",)),
    _meta("wf-whole-secrets-context", "ci-secret-exfil", _S.MEDIUM, _C.MEDIUM,
          "A step receives every secret of the repository (toJSON(secrets)).",
          "Pass only the secrets the step needs, one by one."),
    _meta("wf-push-workflow-sends-data", "exfiltration", _S.MEDIUM, _C.LOW,
          "A new workflow runs on every push to any branch and sends data to a server.",
          "Limit the trigger to the branches that need it and check where the data goes.",
          ("network-send",)),
    _meta("wf-self-hosted-runner", "ci-injection", _S.MEDIUM, _C.MEDIUM,
          "A job is moved to a self-hosted runner, which keeps state between jobs.",
          "Use ephemeral runners, and never for jobs that run pull-request code."),
    _meta("wf-permissions-write-all", "security-control-disabled", _S.MEDIUM, _C.HIGH,
          "The workflow token gets every write permission.",
          "Grant only the permissions each job needs."),
    _meta("wf-permission-write", "security-control-disabled", _S.LOW, _C.MEDIUM,
          "The workflow token gains a write permission.",
          "Check the job needs it; prefer job-level permissions."),
    _meta("wf-unpinned-action", "dependency-risk", _S.LOW, _C.HIGH,
          "A third-party action is referenced by a movable tag or branch, not a commit SHA.",
          "Pin the action to a full commit SHA (and keep the version in a comment)."),
    _meta("wf-unpinned-first-party-action", "dependency-risk", _S.INFO, _C.HIGH,
          "A GitHub-owned action is referenced by a tag, not a commit SHA.",
          "Pin it to a full commit SHA if your policy asks for it."),
)}

_PRIVILEGED_TRIGGERS = ("pull_request_target", "workflow_run")
# Scans after an anchor word stop at the line cap (2,000 characters): unbounded, each `${{` or
# `curl` of a long run script rescanned the rest of it (100 KB of `${{ ` took over 10 s).
_UNTRUSTED = re.compile(
    r"\$\{\{[^}]{0,2000}?(?:github\.event\.(?:issue|pull_request|comment|review|review_comment|discussion|"
    r"discussion_comment|head_commit|commits|pages|workflow_run)\b[\w.*\[\]'\"-]*"
    r"(?:title|body|message|name|label|ref|email|default_branch|page_name|head_branch|description|tag_name)"
    r"|github\.head_ref)[^}]{0,2000}+\}\}"
)
_HEAD_REF = re.compile(
    r"github\.event\.pull_request\.head\.(?:sha|ref)|github\.head_ref|github\.event\.workflow_run\.head_(?:sha|branch)|"
    r"refs/pull/|github\.event\.pull_request\.merge_commit_sha|github\.event\.number|pull_request\.number"
)
_PR_CHECKOUT_CMD = re.compile(r"\bgh\s+pr\s+checkout\b|\bgit\s+fetch\b[^\n]{0,2000}\bpull/|\bgit\s+checkout\b[^\n]{0,2000}\$\{\{\s*github\.(?:head_ref|event\.pull_request)")
_SEND = re.compile(
    r"\bcurl\b[^\n|;]{0,2000}(?:\s-d\b|\s--data\S*|\s-F\b|\s--form\b|\s-T\b|\s--upload-file\b|\s-X\s*(?:POST|PUT)\b|\s--json\b)|"
    r"\bwget\b[^\n|;]{0,2000}--post-(?:data|file)|\b(?:nc|ncat|netcat|socat)\b\s+\S+\s+\d+|"
    r"Invoke-(?:WebRequest|RestMethod)\b[^\n]{0,2000}-Method\s+(?:Post|Put)|\bfetch\s*\([^)]{0,2000}method\s*:\s*['\"]POST|"
    r"\brequests\.(?:post|put)\(|/dev/tcp/",
    re.I,
)
_NET = re.compile(r"\b(?:curl|wget|nc|ncat|netcat|socat|Invoke-WebRequest|Invoke-RestMethod|iwr|irm)\b|\bfetch\s*\(|/dev/tcp/", re.I)
_URL = re.compile(r"(?:https?|ftp)://[^\s'\"\\)]+|\b\d{1,3}(?:\.\d{1,3}){3}\b")
_ALL_SECRETS = re.compile(r"toJSON\(\s*secrets\s*\)", re.I)
_ENV_DUMP = re.compile(r"\bprintenv\b(?!\s+\w)|(?:^|[;&|(`$]\s*)env\s*(?:$|[|>;)`])|\bexport\s+-p\b|\bset\s*\|"
                       r"|/proc/(?:self|\d+|\$\$)/environ|toJSON\(\s*env\s*\)|\bos\.environ\b(?!\s*[.\[(]\s*(?:get)?)"
                       r"|process\.env\b(?!\s*[.\[])|Get-ChildItem\s+env:", re.I | re.M)
_SECRET_REF = re.compile(r"\$\{\{\s*secrets\.\w+\s*\}\}")
_ENCODE = re.compile(r"\|\s*(?:base64|xxd|od\b|rev\b|openssl\s+(?:enc|base64))")
# A download run straight by a shell or interpreter: whatever the server returns runs with the step's env.
_PIPE_SHELL = re.compile(r"\b(?:curl|wget)\b[^\n|;#]*+\|\s*(?:sudo\s+(?:-\S+\s+)*)?(?:\S*/)?(?:(?:ba|z|da)?sh|python[0-9.]*|node|perl|ruby)\b"
                         r"|\b(?:ba|z)?sh\s+(?:-s\s+)?<\(\s*(?:curl|wget)\b|\beval\s+[\"']?\$\(\s*(?:curl|wget)\b")
_REPO_TOKEN = re.compile(r"\$\{\{\s*secrets\.GITHUB_TOKEN\s*\}\}", re.I)
_ARTIFACT_ACTIONS = ("actions/upload-artifact", "actions/cache", "actions/upload-pages-artifact")
_WRITE_PERMS = ("contents", "packages", "id-token", "actions", "pull-requests", "deployments",
                "security-events", "statuses", "checks", "issues", "attestations", "pages")
_USES = re.compile(r"""^\s*+-?\s*+uses\s*+:\s*+["']?([^"'\s#]+)""")
_SHA = re.compile(r"^[0-9a-f]{40}$")
# Possessive leading blanks: `\s*-?\s*` could split a run of spaces in n ways, each followed by
# a scan of the rest of the line (a line of 4,000 spaces around a dash took minutes).
_RUNS_ON_SELF = re.compile(r"^\s*+-?\s*+(?:runs-on\s*:)?.*\bself-hosted\b")


def is_workflow(path: str) -> bool:
    """A GitHub Actions workflow or action definition."""
    low = path.lower()
    name = low.rsplit("/", 1)[-1]
    if name in ("action.yml", "action.yaml"):
        return True
    return (low.startswith(".github/workflows/") or "/.github/workflows/" in low) and \
        name.endswith((".yml", ".yaml"))


def zizmor_binary() -> str | None:
    """The zizmor executable next to this interpreter, else on PATH, else None."""
    here = Path(sys.executable).parent / "zizmor"
    if here.exists():
        return str(here)
    return shutil.which("zizmor")


@dataclass
class _Step:
    """One step (or a job's runs-on) of a parsed workflow, with line numbers."""

    line: int
    uses: str = ""
    uses_line: int = 0
    with_: dict[str, tuple[str, int]] = field(default_factory=dict)
    env: dict[str, tuple[str, int]] = field(default_factory=dict)
    run: str = ""
    run_line: int = 0
    run_block: bool = False


@dataclass
class _Job:
    name: str
    line: int
    env: dict[str, tuple[str, int]] = field(default_factory=dict)
    steps: list[_Step] = field(default_factory=list)


@dataclass
class _Workflow:
    triggers: dict[str, Any]
    trigger_line: int
    jobs: list[_Job]
    env: dict[str, tuple[str, int]]


class WorkflowAnalyzer:
    """zizmor plus Gatehouse's own CI checks over workflows a change touches."""

    name = ANALYZER

    def __init__(self, *, use_zizmor: bool = True, zizmor_timeout_s: int = 60,
                 zizmor_path: str | None = None) -> None:
        """``zizmor_path`` overrides where the zizmor executable is looked for."""
        self.use_zizmor = use_zizmor
        self.zizmor_timeout_s = zizmor_timeout_s
        self.zizmor_path = zizmor_path
        self.last_zizmor_seconds = 0.0

    def analyze(self, files: Sequence[AnalysisFile], ctx: ScanContext) -> AnalyzerOutput:
        out = AnalyzerOutput()
        targets = [f.change for f in files if is_workflow(f.path) and not f.change.binary]
        if not targets:
            return out
        whole: dict[str, tuple[FileChange, KnownLines, _Workflow]] = {}
        partial: list[tuple[FileChange, KnownLines]] = []
        for change in targets:
            known = known_lines(change)
            parsed = _parse_workflow(known) if known.whole else None
            if parsed is not None:
                whole[change.path] = (change, known, parsed)
            else:
                partial.append((change, known))
        covered: set[str] = set()
        if self.use_zizmor and whole:
            covered = self._zizmor({p: known.text() for p, (_, known, _) in whole.items()}, out)
        elif whole:
            out.skipped += [Skipped(p, SkipReason.IGNORED, "zizmor is turned off", ANALYZER) for p in whole]
        for path, (change, known, wf) in whole.items():
            out.findings.extend(_structured_checks(path, change, known, wf, zizmor_ran=path in covered))
        for change, known in partial:
            out.findings.extend(_line_checks(change.path, known, zizmor_ran=False))
            why = "only diff hunks are known" if not known.whole else "not valid workflow YAML"
            out.skipped.append(Skipped(change.path, SkipReason.UNPARSABLE,
                                       f"{why}: zizmor needs the whole file; Gatehouse's line checks ran",
                                       "zizmor"))
        return out

    # -- zizmor ---------------------------------------------------------------------

    def _zizmor(self, texts: dict[str, str], out: AnalyzerOutput) -> set[str]:
        """Run zizmor once over every whole workflow; returns the paths it audited."""
        exe = self.zizmor_path if self.zizmor_path is not None else zizmor_binary()
        if exe is None or not Path(exe).is_file():
            out.errors.append("zizmor is not installed: workflows were checked by Gatehouse's rules only "
                              "(install it with `pip install zizmor`)")
            out.skipped += [Skipped(p, SkipReason.ANALYZER_ERROR, "zizmor not installed", "zizmor") for p in texts]
            return set()
        with tempfile.TemporaryDirectory(prefix="gatehouse-zizmor-") as tmp:
            root = Path(tmp) / "src"
            root.mkdir()
            home = Path(tmp) / "home"
            home.mkdir(mode=0o700)
            # Safe generated names (never zizmor.yml or a dotfile), explicit inputs, and
            # --no-config: nothing in the PR configures zizmor.
            written = write_targets(root, texts, analyzer="zizmor")
            out.skipped += written.failed
            mapping = written.names
            if not mapping:
                return set()
            cmd = [exe, "--offline", "--no-config", "--no-progress", "--no-exit-codes", "--format", "json",
                   "--persona", "regular", *(str(root / rel) for rel in sorted(mapping))]
            started = time.monotonic()
            try:
                proc = subprocess.run(cmd, capture_output=True, timeout=self.zizmor_timeout_s, cwd=tmp,
                                      stdin=subprocess.DEVNULL, env=_zizmor_env(home), check=False)
            except subprocess.TimeoutExpired:
                out.errors.append(f"zizmor did not finish within {self.zizmor_timeout_s}s")
                out.skipped += [Skipped(p, SkipReason.TIMED_OUT, "zizmor time limit", "zizmor")
                                for p in mapping.values()]
                return set()
            finally:
                self.last_zizmor_seconds = time.monotonic() - started
            stderr = proc.stderr.decode("utf-8", "replace")
            try:
                results = json.loads(proc.stdout or b"[]")
            except json.JSONDecodeError:
                results = None
            if proc.returncode != 0 or not isinstance(results, list):
                last = (stderr.strip().splitlines() or ["no output"])[-1][:300]
                out.errors.append(f"zizmor exited {proc.returncode}: {last}")
                out.skipped += [Skipped(p, SkipReason.ANALYZER_ERROR, "zizmor failed", "zizmor")
                                for p in mapping.values()]
                return set()
            failed = _zizmor_rejected(stderr, root, mapping)
            for rel in failed:
                out.skipped.append(Skipped(mapping[rel], SkipReason.UNPARSABLE,
                                           "zizmor could not parse this workflow", "zizmor"))
            for res in results:
                f = _zizmor_finding(res, root, mapping, texts)
                if f is not None:
                    out.findings.append(f)
            return {orig for rel, orig in mapping.items() if rel not in failed}


def _zizmor_env(home: Path) -> dict[str, str]:
    """A minimal environment: no tokens reach zizmor, its HOME is private, and it stays offline."""
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "LC_ALL", "TMPDIR")}
    env["HOME"] = str(home)
    env["ZIZMOR_OFFLINE"] = "true"
    env["NO_COLOR"] = "1"
    return env


def _zizmor_rejected(stderr: str, root: Path, mapping: dict[str, str]) -> set[str]:
    """Relative paths zizmor warned it could not parse or collect."""
    bad: set[str] = set()
    for line in stderr.splitlines():
        if "failed" not in line.lower():
            continue
        for rel in mapping:
            if rel in line:
                bad.add(rel)
        if not any(rel in line for rel in mapping):
            bad.update(mapping)  # it did not say which: trust none of them
    return bad


def _zizmor_path(res: dict[str, Any], root: Path, mapping: dict[str, str]) -> tuple[str, dict[str, Any]] | None:
    for loc in res.get("locations", []):
        sym = loc.get("symbolic", {})
        if sym.get("kind") != "Primary":
            continue
        key = sym.get("key", {})
        local = key.get("Local") if isinstance(key, dict) else None
        raw = (local or {}).get("verbatim_path") or (local or {}).get("given_path") or ""
        try:
            rel = Path(raw).resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            rel = raw
        if rel in mapping:
            return mapping[rel], loc
    return None


def _zizmor_finding(res: dict[str, Any], root: Path, mapping: dict[str, str],
                    texts: dict[str, str]) -> Finding | None:
    ident = str(res.get("ident", "unknown"))
    where = _zizmor_path(res, root, mapping)
    if where is None:
        return None
    path, loc = where
    concrete = loc.get("concrete", {}).get("location", {})
    start = int(concrete.get("start_point", {}).get("row", 0)) + 1
    end_point = concrete.get("end_point", {})
    end = int(end_point.get("row", start - 1)) + (0 if end_point.get("column", 1) == 0 else 1)
    end = start if end - start > 2 or end < start else end  # a whole job: point at its first line
    cat, sev, why = _ZIZMOR.get(ident, _ZIZMOR_DEFAULT)
    det = res.get("determinations", {})
    zsev = str(det.get("severity", "")).lower()
    zconf = str(det.get("confidence", "")).lower()
    feature = str(loc.get("concrete", {}).get("feature", ""))
    lines = text_lines(texts.get(path, ""))
    evidence = "\n".join(lines[start - 1:end])[:500] or feature[:500]
    if ident == "template-injection" and not _UNTRUSTED.search(evidence + "\n" + feature):
        # inputs, ref names, matrix values: only people with write access choose them
        sev = _S.LOW
    if ident == "unpinned-uses" and _first_party(feature):
        sev = _S.INFO
    annotation = str(loc.get("symbolic", {}).get("annotation", "")).strip()
    message = f"zizmor `{ident}`: {res.get('desc', why)}" + (f" ({annotation})" if annotation else "")
    rid = f"zizmor-{ident}"
    meta = RULES.get(rid)
    return Finding(
        rule_id=rid, category=cat, severity=sev,
        confidence={"high": _C.HIGH, "medium": _C.MEDIUM}.get(zconf, _C.LOW),
        path=path, start_line=start, end_line=end, message=message,
        remediation=(meta.remediation if meta else "") + (f" {res.get('url')}" if res.get("url") else ""),
        evidence=evidence, analyzer="zizmor", extra=(("zizmor_severity", zsev), ("zizmor_confidence", zconf)),
    )


def _first_party(uses: str) -> bool:
    owner = uses.strip().split("/", 1)[0].lower()
    return owner in ("actions", "github")


# -- parsing ------------------------------------------------------------------------


# libyaml's parser: linear on deep flow nesting, which it refuses past 1,000 levels (the pure
# Python scanner re-checks every open level at each token: 8 KB of `[` took 3.6 s).
_YAML_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _parse_workflow(known: KnownLines) -> _Workflow | None:
    try:
        root = yaml.compose(known.text(), Loader=_YAML_LOADER)
    except (yaml.YAMLError, RecursionError, UnicodeEncodeError):  # too deep, or lone surrogates
        return None
    if not isinstance(root, yaml.MappingNode):
        return None
    triggers: dict[str, Any] = {}
    trigger_line = 0
    jobs: list[_Job] = []
    env: dict[str, tuple[str, int]] = {}
    for key, value in root.value:
        k = key.value if isinstance(key, yaml.ScalarNode) else ""
        if k in ("on", "true", "True"):
            trigger_line = key.start_mark.line + 1
            triggers = _triggers(value)
        elif k == "jobs" and isinstance(value, yaml.MappingNode):
            for jk, jv in value.value:
                jobs.append(_job(str(jk.value), jk.start_mark.line + 1, jv))
        elif k == "env":
            env = _scalar_map(value)
        elif k == "runs" and isinstance(value, yaml.MappingNode):  # composite action
            job = _job("runs", key.start_mark.line + 1, value)
            jobs.append(job)
    return _Workflow(triggers, trigger_line, jobs, env)


def _triggers(node: yaml.Node) -> dict[str, Any]:
    if isinstance(node, yaml.ScalarNode):
        return {node.value: None}
    if isinstance(node, yaml.SequenceNode):
        return {n.value: None for n in node.value if isinstance(n, yaml.ScalarNode)}
    if isinstance(node, yaml.MappingNode):
        return {k.value: _plain(v) for k, v in node.value if isinstance(k, yaml.ScalarNode)}
    return {}


def _plain(node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return node.value
    if isinstance(node, yaml.SequenceNode):
        return [_plain(n) for n in node.value]
    if isinstance(node, yaml.MappingNode):
        return {str(k.value): _plain(v) for k, v in node.value if isinstance(k, yaml.ScalarNode)}
    return None


def _scalar_map(node: yaml.Node) -> dict[str, tuple[str, int]]:
    out: dict[str, tuple[str, int]] = {}
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode):
                text = v.value if isinstance(v, yaml.ScalarNode) else json.dumps(_plain(v))
                out[str(k.value)] = (str(text), v.start_mark.line + 1)
    elif isinstance(node, yaml.ScalarNode):  # env: ${{ toJSON(secrets) }}
        out["*"] = (node.value, node.start_mark.line + 1)
    return out


def _job(name: str, line: int, node: yaml.Node) -> _Job:
    job = _Job(name, line)
    if not isinstance(node, yaml.MappingNode):
        return job
    for k, v in node.value:
        key = k.value if isinstance(k, yaml.ScalarNode) else ""
        if key == "env":
            job.env = _scalar_map(v)
        elif key == "steps" and isinstance(v, yaml.SequenceNode):
            for s in v.value:
                job.steps.append(_step(s))
    return job


def _step(node: yaml.Node) -> _Step:
    step = _Step(node.start_mark.line + 1)
    if not isinstance(node, yaml.MappingNode):
        return step
    for k, v in node.value:
        key = k.value if isinstance(k, yaml.ScalarNode) else ""
        if key == "uses" and isinstance(v, yaml.ScalarNode):
            step.uses, step.uses_line = v.value, v.start_mark.line + 1
        elif key == "with":
            step.with_ = _scalar_map(v)
        elif key == "env":
            step.env = _scalar_map(v)
        elif key == "run" and isinstance(v, yaml.ScalarNode):
            step.run, step.run_line = v.value, k.start_mark.line + 1
            step.run_block = v.style in ("|", ">")
    if "script" in step.with_ and "github-script" in step.uses:
        step.run, step.run_line = step.with_["script"]
        step.run_block = True
    return step


# -- checks over a parsed workflow --------------------------------------------------


def _finding(rule_id: str, path: str, line: int, evidence: str, message: str, end: int | None = None) -> Finding:
    meta = RULES[rule_id]
    return Finding(
        rule_id=rule_id, category=meta.category, severity=meta.severity, confidence=meta.confidence,
        path=path, start_line=line, end_line=end if end and end >= line else line, message=message,
        remediation=meta.remediation, evidence=evidence.strip()[:500], analyzer=ANALYZER,
        capabilities=frozenset(meta.capabilities),
    )


def _line_in_run(step: _Step, pattern: re.Pattern[str]) -> int:
    """The file line of the first match of ``pattern`` inside a step's run text."""
    m = pattern.search(step.run)
    if not m:
        return step.run_line
    offset = step.run.count("\n", 0, m.start())
    return step.run_line + (1 + offset if step.run_block else 0)


def _structured_checks(path: str, change: FileChange, known: KnownLines, wf: _Workflow,
                       *, zizmor_ran: bool) -> list[Finding]:
    findings: list[Finding] = []
    text_of = known.lines
    privileged = [t for t in _PRIVILEGED_TRIGGERS if t in wf.triggers]
    for job in wf.jobs:
        pr_checked_out = 0
        artifact: tuple[str, int] | None = None  # where a workflow_run job unpacks the PR run's artifact
        checked_out = False
        for step in job.steps:
            env = {**wf.env, **job.env, **step.env}
            if step.uses.startswith("actions/checkout"):
                checked_out = True
            if "workflow_run" in privileged and _downloads_artifact(step):
                artifact = (step.with_.get("path", (".", 0))[0].strip() or ".", step.uses_line or step.run_line)
            elif artifact and step.run and _runs_artifact(step.run, artifact[0], checked_out):
                line = step.run_line or step.line
                findings.append(_finding(
                    "wf-privileged-run-of-pr-code", path, line, text_of.get(line, ""),
                    f"This workflow_run job runs a file from the artifact it downloaded (line {artifact[1]}); "
                    "the triggering run built that artifact from the pull request, so anyone who opens one "
                    "chooses what runs here with the base repository's secrets."))
                artifact = None
            # A privileged trigger that checks out and then runs the pull request's code.
            if privileged and _checks_out_pr(step):
                line = step.with_.get("ref", ("", step.uses_line or step.run_line))[1] if step.uses else step.run_line
                pr_checked_out = line
                findings.append(_finding(
                    "wf-privileged-checkout-of-pr-code", path, line, text_of.get(line, ""),
                    f"This {'/'.join(privileged)} workflow checks out the pull request's code, with the "
                    "base repository's secrets and write token in reach."))
            elif pr_checked_out and (step.run or step.uses.startswith("./")):
                line = step.run_line or step.uses_line or step.line
                findings.append(_finding(
                    "wf-privileged-run-of-pr-code", path, line, text_of.get(line, ""),
                    f"After checking out the pull request's code (line {pr_checked_out}), this privileged "
                    "job runs it: anyone who opens a pull request can run code with its secrets."))
                pr_checked_out = 0
            if step.run:
                findings.extend(_run_checks(path, step, env, text_of, zizmor_ran))
        findings.extend(_artifact_checks(path, job, text_of))
    findings.extend(_push_sender(path, change, wf, text_of))
    findings.extend(_line_checks(path, known, zizmor_ran=zizmor_ran, structured=True))
    return findings


_ARTIFACT_ACTIONS_DOWNLOAD = ("actions/download-artifact", "dawidd6/action-download-artifact")
_RUNS_LOCAL_FILE = re.compile(r"(?:^|[\s;&|(])(?:(?:ba|z)?sh|source|\.|python[0-9.]*|node|ruby|perl|pwsh)\s+"
                              r"(?:-\w+\s+)*(\.?/?[\w.-]+(?:/[\w.-]+)*)|(?:^|[\s;&|(])(\./[\w./-]+)", re.M)


def _downloads_artifact(step: _Step) -> bool:
    return step.uses.startswith(_ARTIFACT_ACTIONS_DOWNLOAD) or bool(step.run and "gh run download" in step.run)


def _runs_artifact(run: str, where: str, checked_out: bool) -> bool:
    """True when a run step executes a file that lies in the downloaded artifact's folder."""
    base = where.strip("./")
    for m in _RUNS_LOCAL_FILE.finditer(run):
        target = (m.group(1) or m.group(2) or "").lstrip("./")
        if not target or target.startswith("-"):
            continue
        if base and (target == base or target.startswith(base + "/")):
            return True
        if not base and not checked_out:
            return True  # no checkout: everything in the workspace came from the artifact
    return False


def _checks_out_pr(step: _Step) -> bool:
    if step.uses.startswith("actions/checkout"):
        ref = step.with_.get("ref", ("", 0))[0] + step.with_.get("repository", ("", 0))[0]
        return bool(_HEAD_REF.search(ref))
    return bool(step.run and _PR_CHECKOUT_CMD.search(step.run))


def _run_checks(path: str, step: _Step, env: dict[str, tuple[str, int]], text_of: dict[int, str],
                zizmor_ran: bool) -> list[Finding]:
    findings: list[Finding] = []
    run = step.run
    secret_vars = {k for k, (v, _) in env.items() if _ALL_SECRETS.search(v)}
    one_secret_vars = {k for k, (v, _) in env.items() if _SECRET_REF.search(v)}
    all_secrets = bool(_ALL_SECRETS.search(run)) or any(re.search(r"\$\{?" + re.escape(v) + r"\b", run) for v in secret_vars) \
        or ("*" in secret_vars)
    dump = bool(_ENV_DUMP.search(run))
    sends = _SEND.search(run) or (_NET.search(run) and (all_secrets or dump) and _URL.search(run))
    if sends and (all_secrets or dump):
        line = _line_in_run(step, _NET)
        what = "every secret of the repository" if all_secrets else "the whole environment (with its secrets)"
        findings.append(_finding("wf-secrets-to-network", path, line, text_of.get(line, run[:200]),
                                 f"This step sends {what} over the network."))
        return findings
    if _NET.search(run):
        hosts = [host_of(u) or u for u in _URL.findall(run)]
        bad = [h for h in hosts if is_suspicious_host(h)]
        uses_secret = _SECRET_REF.search(run) or any(re.search(r"\$\{?" + re.escape(v) + r"\b", run) for v in one_secret_vars)
        if bad and uses_secret:
            line = _line_in_run(step, _NET)
            findings.append(_finding("wf-secret-to-suspicious-host", path, line, text_of.get(line, run[:200]),
                                     f"A secret is sent to `{bad[0]}`, a host no real service is run from."))
    handed = [k for k, (v, _) in env.items() if _SECRET_REF.search(v) and not _REPO_TOKEN.fullmatch(v.strip())]
    if _PIPE_SHELL.search(run) and (handed or all_secrets):
        line = _line_in_run(step, _PIPE_SHELL)
        findings.append(_finding("wf-secrets-to-remote-script", path, line, text_of.get(line, run[:200]),
                                 f"This step runs a script fetched at run time while {', '.join(sorted(handed)[:3]) or 'every secret'} "
                                 "sits in its environment: whoever controls that URL, today or later, can read "
                                 "the secrets."))
    if (all_secrets or _SECRET_REF.search(run)) and _ENCODE.search(run) and re.search(r"\becho\b|\bprintf\b|\bcat\b", run):
        line = _line_in_run(step, _ENCODE)
        findings.append(_finding("wf-secret-encoded-output", path, line, text_of.get(line, run[:200]),
                                 "A secret is piped through an encoder, which defeats GitHub's log masking."))
    if not zizmor_ran:
        m = _UNTRUSTED.search(run)
        if m:
            line = _line_in_run(step, _UNTRUSTED)
            findings.append(_finding("wf-untrusted-input-in-run", path, line, text_of.get(line, run[:200]),
                                     f"`{m.group(0)}` is expanded into the script before the shell parses it: "
                                     "a crafted title or branch name runs as code."))
        if all_secrets:
            line = _line_in_run(step, _ALL_SECRETS) if _ALL_SECRETS.search(run) else \
                min((ln for k, (_, ln) in env.items() if k in secret_vars), default=step.run_line)
            findings.append(_finding("wf-whole-secrets-context", path, line, text_of.get(line, ""),
                                     "This step is given every secret of the repository."))
    return findings


def _artifact_checks(path: str, job: _Job, text_of: dict[int, str]) -> list[Finding]:
    """A job that writes all secrets/the environment to a file and uploads or caches it."""
    uploads = [s for s in job.steps if s.uses.startswith(_ARTIFACT_ACTIONS)]
    if not uploads:
        return []
    for step in job.steps:
        if not step.run:
            continue
        env = {**job.env, **step.env}
        whole = _ALL_SECRETS.search(step.run) or any(_ALL_SECRETS.search(v) for v, _ in env.values())
        if (whole or _ENV_DUMP.search(step.run)) and re.search(r">>?\s*\S|\btee\b", step.run):
            line = _line_in_run(step, _ENV_DUMP) if _ENV_DUMP.search(step.run) else step.run_line
            return [_finding("wf-secrets-to-artifact", path, line, text_of.get(line, ""),
                             f"Secrets or the environment are written to a file that `{uploads[0].uses}` "
                             "uploads or caches.")]
    return []


def _push_sender(path: str, change: FileChange, wf: _Workflow, text_of: dict[int, str]) -> list[Finding]:
    """A newly added workflow that runs on push to any branch and posts data somewhere."""
    if change.status is not FileStatus.ADDED or "push" not in wf.triggers:
        return []
    spec = wf.triggers.get("push")
    if isinstance(spec, dict) and (spec.get("branches") or spec.get("tags")) and "**" not in str(spec.get("branches")):
        return []
    for job in wf.jobs:
        for step in job.steps:
            if step.run and _SEND.search(step.run) and _URL.search(step.run):
                line = _line_in_run(step, _SEND)
                return [_finding("wf-push-workflow-sends-data", path, line, text_of.get(line, ""),
                                 "This new workflow runs on every push to any branch and sends data to a server.")]
    return []


# -- line checks (work on hunks as well) --------------------------------------------


def _line_checks(path: str, known: KnownLines, *, zizmor_ran: bool, structured: bool = False) -> list[Finding]:
    findings: list[Finding] = []
    lines = known.lines
    privileged = any(t in text for text in lines.values() for t in _PRIVILEGED_TRIGGERS)
    for n in sorted(known.added):
        text = lines.get(n, "")
        code = text.split(" #", 1)[0]
        if not code.strip() or code.lstrip().startswith("#"):
            continue
        if _RUNS_ON_SELF.match(code) and _in_runs_on(lines, n):
            findings.append(_finding("wf-self-hosted-runner", path, n, text,
                                     "This job now runs on a self-hosted runner, which keeps state between jobs "
                                     "and sits inside your network."))
        perm = re.match(r"^\s*permissions\s*:\s*write-all\b", code)
        if perm:
            findings.append(_finding("wf-permissions-write-all", path, n, text,
                                     "`permissions: write-all` gives the token every write scope."))
        wp = re.match(r"^\s*(" + "|".join(map(re.escape, _WRITE_PERMS)) + r")\s*:\s*write\b", code)
        if wp and _in_permissions(lines, n):
            findings.append(_finding("wf-permission-write", path, n, text,
                                     f"The workflow token gains `{wp.group(1)}: write`."))
        if zizmor_ran:
            continue
        uses = _USES.match(code)
        if uses and "@" in uses.group(1) and not uses.group(1).startswith(("./", "docker://")):
            action, _, ref = uses.group(1).partition("@")
            if not _SHA.match(ref):
                rid = "wf-unpinned-first-party-action" if _first_party(action) else "wf-unpinned-action"
                findings.append(_finding(rid, path, n, text, f"`{action}` is used at `{ref}`, a ref its owner can move."))
        if structured:
            continue
        # Only hunks are known: judge single lines.
        if _UNTRUSTED.search(code) and _in_run_block(lines, n):
            findings.append(_finding("wf-untrusted-input-in-run", path, n, text,
                                     "Untrusted event text is expanded into a shell script."))
        if (_ALL_SECRETS.search(code) or _ENV_DUMP.search(code)) and _SEND.search(code):
            findings.append(_finding("wf-secrets-to-network", path, n, text,
                                     "Secrets or the whole environment are sent over the network."))
        elif _ALL_SECRETS.search(code):
            findings.append(_finding("wf-whole-secrets-context", path, n, text,
                                     "A step is given every secret of the repository."))
        if privileged and re.search(r"^\s*ref\s*:", code) and _HEAD_REF.search(code):
            findings.append(_finding("wf-privileged-checkout-of-pr-code", path, n, text,
                                     "A pull_request_target/workflow_run workflow checks out the pull request's code."))
        if _PIPE_SHELL.search(code) and _in_run_block(lines, n) and _step_secrets(lines, n):
            findings.append(_finding("wf-secrets-to-remote-script", path, n, text,
                                     "This step runs a script fetched at run time while secrets sit in its "
                                     "environment: whoever controls that URL can read them."))
        if _SECRET_REF.search(code) and _NET.search(code):
            bad = [h for h in (host_of(u) or u for u in _URL.findall(code)) if is_suspicious_host(h)]
            if bad:
                findings.append(_finding("wf-secret-to-suspicious-host", path, n, text,
                                         f"A secret is sent to `{bad[0]}`, a host no real service is run from."))
    if not structured:
        findings.extend(_nearby_secret_sends(path, known, {f.start_line for f in findings
                                                           if f.rule_id == "wf-secrets-to-network"}))
    return findings


_STEP_START = re.compile(r"^\s*-\s+\w")


def _step_secrets(lines: dict[int, str], n: int) -> bool:
    """Hunks only: the step around line ``n`` is handed a secret other than the repository token."""
    start = n
    while start - 1 in lines and n - start < 12 and not _STEP_START.match(lines[start]):
        start -= 1
    end = n + 1
    while end in lines and end - n < 12 and not _STEP_START.match(lines[end]):
        end += 1
    return any(_SECRET_REF.search(lines[k]) and not _REPO_TOKEN.search(lines[k])
               for k in range(start, end) if k in lines)


def _nearby_secret_sends(path: str, known: KnownLines, done: set[int]) -> list[Finding]:
    """Hunks only: a line handing over all secrets/the environment near a line that posts data."""
    lines = known.lines
    dumps = [n for n in known.added if _ALL_SECRETS.search(lines.get(n, "")) or _ENV_DUMP.search(lines.get(n, ""))]
    findings = []
    for n in sorted(known.added):
        text = lines.get(n, "")
        if n in done or not (_SEND.search(text) and _URL.search(text)):
            continue
        if any(abs(n - d) <= 8 and d != n for d in dumps):
            findings.append(_finding("wf-secrets-to-network", path, n, text,
                                     "A step near a line that hands over every secret (or the environment) "
                                     "posts data to a server."))
    return findings


def _parents(lines: dict[int, str], n: int) -> Iterator[str]:
    """Keys of the lines above ``n`` with less indentation, nearest first, until a gap."""
    indent = _indent(lines.get(n, ""))
    k = n - 1
    while k in lines:
        text = lines[k]
        if text.strip() and not text.lstrip().startswith("#"):
            ind = _indent(text)
            if ind < indent:
                yield text.strip()
                indent = ind
                if ind == 0:
                    return
        k -= 1


def _indent(text: str) -> int:
    stripped = text.lstrip(" -")
    return len(text) - len(stripped)


def _in_runs_on(lines: dict[int, str], n: int) -> bool:
    if re.match(r"^\s*+-?\s*+runs-on\s*:", lines.get(n, "")):
        return True
    return any(p.startswith(("runs-on:", "- runs-on:")) for p in _parents(lines, n))


def _in_permissions(lines: dict[int, str], n: int) -> bool:
    for p in _parents(lines, n):
        return p.startswith("permissions:")
    return False


def _in_run_block(lines: dict[int, str], n: int) -> bool:
    if re.match(r"^\s*+-?\s*+(?:run|script)\s*:", lines.get(n, "")):
        return True
    for p in _parents(lines, n):
        return bool(re.match(r"^-?\s*(?:run|script)\s*:\s*[|>]", p))
    return False


def rule_metas() -> list[RuleMeta]:
    """Catalogue entries of this analyzer's rules (zizmor audits included)."""
    return list(RULES.values())
