"""The secret analyzer: token formats, private keys, credential assignments and hard-coded
auth comparisons on added lines."""

import re
from collections.abc import Iterator, Sequence

from reviewer.core.analyzers.added import iter_added, shannon_entropy
from reviewer.core.analyzers.base import AnalysisFile, AnalyzerOutput, ScanContext
from reviewer.core.analyzers.secrets.compare import (
    COMPARE_HINT,
    CRED_HINTS,
    EXEC,
    GRANT,
    IDENTIFIER_WORDS,
    KEY_BODY,
    LONG_RUN,
    NOT_A_CREDENTIAL,
    PATH_LIKE,
    TEST_LINE,
    code_only,
    compares,
    last_name,
)
from reviewer.core.analyzers.secrets.data import SecretData, secret_data
from reviewer.core.analyzers.secrets.rules import ANALYZER, RULES
from reviewer.core.analyzers.secrets.values import (
    credential_assignment,
    is_placeholder,
    looks_secret,
    mask,
    masked_line,
)
from reviewer.core.findings import Finding, Severity
from reviewer.core.paths import (
    is_data_path,
    is_doc_path,
    is_generated_path,
    is_program_like,
    is_test_path,
)


class SecretAnalyzer:
    """Committed secrets and constant-credential checks on added lines."""

    name = ANALYZER

    def analyze(self, files: Sequence[AnalysisFile], ctx: ScanContext) -> AnalyzerOutput:
        out = AnalyzerOutput()
        data = secret_data()
        for file in files:
            if file.change.binary:
                continue
            out.findings.extend(self._file(file, data))
        return out

    def _file(self, file: AnalysisFile, data: SecretData) -> Iterator[Finding]:
        path = file.path
        tests = is_test_path(path)
        doc = is_doc_path(path)
        generated = is_generated_path(path)
        code = is_program_like(path, file.text[:200])
        config = is_data_path(path) or path.rsplit("/", 1)[-1].lower().startswith(".env")
        lines = list(iter_added(file))
        by_line = dict(lines)
        for n, line in lines:
            if len(line) < 8:
                continue
            found = False
            if data.token_hint.search(line) and LONG_RUN.search(line):
                for f in self._token_formats(path, n, line, data, tests or generated, doc):
                    found = True
                    yield f
            if found:
                continue
            key = data.private_key.search(line)
            if key and KEY_BODY.search(
                line[key.end() :] + "\n" + by_line.get(n + 1, "") + "\n" + by_line.get(n + 2, "")
            ):
                yield self._private_key(path, n, line, key.group(1), tests or generated, doc)
                continue
            if not tests and not doc and not generated:
                f2 = self._assignment(path, n, line, data, code, config)
                if f2:
                    yield f2
                if code:
                    yield from self._auth(path, n, line, by_line, data)

    def _token_formats(
        self, path: str, n: int, line: str, data: SecretData, quiet: bool, doc: bool
    ) -> Iterator[Finding]:
        for fmt in data.tokens:
            if fmt.hints and not any(h in line for h in fmt.hints):
                continue
            m = fmt.pattern.search(line)
            if not m:
                continue
            secret = m.group(1) if m.groups() else m.group(0)
            if "EXAMPLE" in secret.upper():
                continue
            if fmt.rule_id != "secret-jwt" and is_placeholder(secret[-16:], data):
                continue
            meta = RULES[fmt.rule_id]
            severity = fmt.severity
            if quiet:
                severity = Severity.LOW
            elif doc:
                severity = min(severity, Severity.MEDIUM)
            message = (
                f"This line commits a {fmt.name} ({mask(secret)}). Anyone who can read the "
                "repository, its forks or its history can use it; a credential in a pull request "
                "is also how a change can quietly give its author access to production."
            )
            yield meta.finding(
                analyzer=ANALYZER,
                path=path,
                start_line=n,
                end_line=n,
                message=message,
                evidence=masked_line(line, secret),
                severity=severity,
            )
            return

    @staticmethod
    def _private_key(path: str, n: int, line: str, kind: str, quiet: bool, doc: bool) -> Finding:
        meta = RULES["secret-private-key"]
        severity = Severity.LOW if quiet else Severity.MEDIUM if doc else meta.severity
        message = (
            f"This change adds a {kind} block. A private key in the repository lets anyone with "
            "read access impersonate its owner (servers, signing, SSH); check what it unlocks."
        )
        return meta.finding(
            analyzer=ANALYZER,
            path=path,
            start_line=n,
            end_line=n,
            message=message,
            evidence=line.strip()[:80],
            severity=severity,
        )

    @staticmethod
    def _assignment(
        path: str, n: int, line: str, data: SecretData, code: bool, config: bool
    ) -> Finding | None:
        low = line.lower()
        if not any(h in low for h in CRED_HINTS):
            return None
        found = credential_assignment(line, data, config)
        if found is None:
            return None
        name, value = found
        last = last_name(name)
        if NOT_A_CREDENTIAL.search(last) or is_placeholder(value, data) or not looks_secret(value):
            return None
        if re.search(r"[${}%<>]|^\w+\(|::|\.\w+\(", value):
            return None  # interpolation or a reference, not a literal
        if IDENTIFIER_WORDS.fullmatch(value) or PATH_LIKE.fullmatch(value):
            return None  # a field name (`privateKeyUsage`) or a path (`/dev/urandom`), not a secret
        meta = RULES["secret-generic-assignment"]
        message = (
            f"`{last}` is set to a literal that looks like a real secret ({mask(value)}, "
            f"{shannon_entropy(value):.1f} bits/char). Secrets in source end up in every clone "
            "and fork; check whether it is live."
        )
        return meta.finding(
            analyzer=ANALYZER,
            path=path,
            start_line=n,
            end_line=n,
            message=message,
            evidence=masked_line(line, value),
        )

    def _auth(
        self, path: str, n: int, line: str, by_line: dict[int, str], data: SecretData
    ) -> Iterator[Finding]:
        if ("'" not in line and '"' not in line) or not COMPARE_HINT.search(line):
            return
        if TEST_LINE.match(line):
            return
        window = "\n".join(by_line.get(k, "") for k in range(n, n + 3))
        for cmp in compares(line):
            lit = cmp.literal
            low = lit.lower().strip()
            if low in data.exempt_values or len(low) < 3 or not re.search(r"[A-Za-z0-9]", lit):
                continue
            if low == cmp.name.lower() or re.search(r"[{}%$]|^\s|\s$", lit) or len(set(low)) <= 1:
                continue
            # Privileges are granted by code: the words "sudo" or "privilege" in a string or a
            # comment (the compared value itself, a help text) grant nothing.
            grant = GRANT.search(code_only(window))
            execs = EXEC.search(window.replace(lit, ""))
            secretish = (
                looks_secret(lit) or bool(re.search(r"[A-Z].*\d|\d.*[A-Z]", lit))
            ) and not IDENTIFIER_WORDS.fullmatch(lit)
            if cmp.strength == "strong":
                rule, why = (
                    "auth-magic-compare",
                    f"the credential `{cmp.name}` is checked against a constant",
                )
            elif cmp.strength == "weak" and (secretish or grant):
                rule, why = "auth-magic-compare", f"`{cmp.name}` is checked against a constant"
            elif cmp.strength == "user" and (grant or self._second_credential(window, data)):
                rule, why = (
                    "auth-magic-compare",
                    (
                        f"the account name `{cmp.name}` is checked against a "
                        "constant right before access is granted"
                    ),
                )
            elif grant or (execs and (secretish or lit.isupper()) and len(lit) >= 6):
                rule, why = (
                    "auth-magic-value-privilege",
                    (
                        f'`{cmp.name}` is compared with the constant "{lit[:40]}" and a match '
                        + ("grants privileges" if grant else "runs a command or shell")
                    ),
                )
            else:
                continue
            meta = RULES[rule]
            message = (
                f"Here {why}. A fixed value in an authentication path works for anyone who "
                "knows it -- the classic shape of a magic password, master key or hidden admin "
                "account. Check that this is not a way in that bypasses normal login."
            )
            yield meta.finding(
                analyzer=ANALYZER,
                path=path,
                start_line=n,
                end_line=n,
                message=message,
                evidence=masked_line(line, lit) if cmp.strength != "other" else line.strip()[:160],
            )
            return

    @staticmethod
    def _second_credential(window: str, data: SecretData) -> bool:
        for cmp in compares(window):
            if cmp.literal.lower() in data.exempt_values:
                continue
            if cmp.strength == "strong" or cmp.strength == "weak" and looks_secret(cmp.literal):
                return True
        return False
