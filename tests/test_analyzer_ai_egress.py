"""The ai-egress analyzer: code that talks to AI services, by vendor and country, ranked by what
it sends."""

from __future__ import annotations

from reviewer.core.analyzers.ai_egress import AIEgressAnalyzer, vendor_for_host
from reviewer.core.analyzers.base import AnalysisFile, ScanContext, ScanOptions
from reviewer.core.changeset import ChangeSet, FileChange, FileStatus
from reviewer.core.findings import Finding, Severity


def _scan(path: str, text: str) -> list[Finding]:
    lines = text.split("\n")
    fc = FileChange(
        path, FileStatus.ADDED, added={i + 1: ln for i, ln in enumerate(lines)}, head_text=text
    )
    out = AIEgressAnalyzer().analyze(
        [AnalysisFile(fc, text)], ScanContext(ChangeSet(files=(fc,)), ScanOptions())
    )
    assert not out.errors
    return out.findings


def _only(findings: list[Finding]) -> Finding:
    assert len(findings) == 1, [(f.rule_id, f.start_line, f.message) for f in findings]
    return findings[0]


SOURCE_TO_DASHSCOPE = """import pathlib
import requests

API = "https://dashscope.aliyuncs.com/compatible-mode/v1/chat/completions"


def review(root):
    chunks = []
    for p in pathlib.Path(root).rglob("*.py"):
        chunks.append(p.read_text())
    body = {"model": "qwen-max", "messages": [{"role": "user", "content": "\\n".join(chunks)}]}
    return requests.post(API, json=body, headers={"Authorization": "Bearer " + KEY})
"""


def test_posting_the_source_tree_to_dashscope_is_medium_with_vendor_and_country() -> None:
    f = _only(_scan("tools/review.py", SOURCE_TO_DASHSCOPE))
    extra = dict(f.extra)
    assert (f.rule_id, f.category, f.severity) == ("ai-egress-source", "ai-egress", Severity.MEDIUM)
    assert (extra["vendor"], extra["country"], extra["sends"]) == ("Alibaba Cloud", "CN", "tree")
    assert f.start_line == 12 and "source files" in f.message


def test_environment_to_an_ai_sdk_is_high() -> None:
    text = """import os
import anthropic

client = anthropic.Anthropic()


def debug():
    env = dict(os.environ)
    msgs = [{"role": "user", "content": str(env)}]
    client.messages.create(model="m", max_tokens=10, messages=msgs)
"""
    f = _only(_scan("app/debug.py", text))
    assert (f.rule_id, f.severity, dict(f.extra)["vendor"]) == (
        "ai-egress-secrets",
        Severity.HIGH,
        "Anthropic",
    )


def test_openai_sdk_pointed_at_deepseek_is_deepseek() -> None:
    text = """from openai import OpenAI
import os

client = OpenAI(base_url="https://api.deepseek.com", api_key=os.environ["DEEPSEEK_API_KEY"])


def leak():
    token = os.environ["GITHUB_TOKEN"]
    msgs = [{"role": "user", "content": token}]
    return client.chat.completions.create(model="deepseek-chat", messages=msgs)
"""
    found = [f for f in _scan("x.py", text) if f.rule_id != "ai-egress-sdk"]
    f = _only(found)
    assert dict(f.extra)["vendor"] == "DeepSeek" and dict(f.extra)["country"] == "CN"
    assert f.severity is Severity.HIGH and "secrets" in f.message


def test_near_miss_app_asks_openai_a_users_question_with_its_key_from_env() -> None:
    """An ordinary app: the key is read from the environment and given to the SDK, the prompt is
    the user's question. Low (a call), never exfiltration."""
    text = """import os
from flask import Flask, request
from openai import OpenAI

app = Flask(__name__)
openai_api_key = os.environ.get("OPENAI_API_KEY")
client = OpenAI(api_key=openai_api_key)


@app.post("/ask")
def ask():
    question = request.json["question"]
    resp = client.chat.completions.create(model="gpt-4o-mini",
                                          messages=[{"role": "user", "content": question}])
    return {"answer": resp.choices[0].message.content}
"""
    findings = _scan("app/ask.py", text)
    assert max(f.severity for f in findings) is Severity.LOW
    call = _only([f for f in findings if f.rule_id == "ai-egress-call"])
    assert dict(call.extra)["sends"] == "user" and call.start_line == 13


def test_agent_cli_from_code_and_ci() -> None:
    f = _only(
        _scan(
            "scripts/fix.py",
            'import subprocess\nsubprocess.run(["claude", "-p", "fix the tests"])\n',
        )
    )
    assert (dict(f.extra)["vendor"], f.severity) == ("Anthropic", Severity.MEDIUM)
    wf = """jobs:
  review:
    steps:
      - run: git diff origin/main | qwen -p "review this change"
      - uses: anthropics/claude-code-action@v1
"""
    found = _scan(".github/workflows/review.yml", wf)
    assert [(f.start_line, dict(f.extra)["vendor"]) for f in found] == [
        (4, "Alibaba Cloud"),
        (5, "Anthropic"),
    ]
    assert all(f.severity is Severity.MEDIUM for f in found)


def test_javascript_fetch_of_process_env_to_an_api_host() -> None:
    text = (
        'const r = await fetch("https://api.moonshot.cn/v1/chat/completions", '
        '{method: "POST", body: JSON.stringify(process.env)});\n'
    )
    f = _only(_scan("src/boot.js", text))
    assert (dict(f.extra)["vendor"], f.severity) == ("Moonshot AI", Severity.HIGH)


def test_sdk_dependency_alone_is_info() -> None:
    f = _only(
        _scan("package.json", '{"dependencies": {"@anthropic-ai/sdk": "^0.30.0", "left-pad": "1"}}')
    )
    assert (f.rule_id, f.severity, dict(f.extra)["vendor"]) == (
        "ai-egress-sdk",
        Severity.INFO,
        "Anthropic",
    )
    f = _only(_scan("requirements.txt", "requests==2.32.0\ndashscope>=1.20\n"))
    assert (f.start_line, dict(f.extra)["country"]) == (2, "CN")


def test_local_model_server_is_local_and_low() -> None:
    text = (
        "import requests\n"
        'requests.post("http://localhost:11434/api/chat", json={"p": open("a.py").read()})\n'
    )
    f = _only(_scan("local.py", text))
    assert dict(f.extra)["local"] == "yes" and f.severity is Severity.LOW
    assert vendor_for_host("localhost", port=5432) is None


def test_near_misses_stay_quiet() -> None:
    """Other hosts, docs and look-alike names are not AI egress."""
    assert (
        _scan(
            "app/pay.py",
            'import requests\nrequests.post("https://api.stripe.com/v1", data=open("x").read())\n',
        )
        == []
    )
    assert (
        _scan(
            "README.md", "Set OPENAI_API_KEY and call https://api.openai.com/v1/chat/completions\n"
        )
        == []
    )
    assert _scan("app/names.py", 'openai_model = "gpt-4"\nclaude = "a name"\n') == []
    assert _scan("ci.sh", "echo 'run gemini later'\n") == []


def test_unparsable_python_falls_back_to_lines_and_deep_nesting_does_not_crash() -> None:
    f = _only(
        _scan("broken.py", 'def x(:\n    requests.post("https://api.deepseek.com/x", data=env)\n')
    )
    assert dict(f.extra)["vendor"] == "DeepSeek"
    deep = "x = " + "(" * 5000 + "1" + ")" * 5000 + "\n"
    assert _scan("deep.py", deep) == []


SOURCE_THROUGH_HELPERS = """import pathlib
import requests

API = "https://api.deepseek.com/v1/chat/completions"


def _read(root):
    return [p.read_text() for p in pathlib.Path(root).rglob("*.py")]


def collect(root):
    return "\\n".join(_read(root))


class Reporter:
    def gather(self):
        return collect(".")

    def send(self):
        body = {"messages": [{"role": "user", "content": self.gather()}]}
        return requests.post(API, json=body, timeout=30)
"""

QUESTION_THROUGH_A_HELPER = """import os
import requests

API = "https://api.deepseek.com/v1/chat/completions"


def prompt(question):
    return "Answer about our product: " + question.strip()


def answer(question):
    body = {"messages": [{"role": "user", "content": prompt(question)}]}
    key = os.environ["DEEPSEEK_API_KEY"]
    return requests.post(API, json=body, headers={"Authorization": "Bearer " + key})
"""


def test_source_gathered_by_helper_functions_is_still_source_sent() -> None:
    sent = [
        f for f in _scan("tools/report.py", SOURCE_THROUGH_HELPERS) if f.severity >= Severity.MEDIUM
    ]
    assert [(f.rule_id, f.start_line) for f in sent] == [("ai-egress-source", 21)]


def test_a_helper_that_only_builds_a_prompt_from_a_question_is_not_source_sent() -> None:
    assert not [
        f
        for f in _scan("app/assistant.py", QUESTION_THROUGH_A_HELPER)
        if f.severity >= Severity.MEDIUM
    ]
