"""The Python names that read as data sources, tree walks, agent runs and sends to a vendor."""

from __future__ import annotations

import re

# ---------------------------------------------------------------- Python


SECRET_NAME = re.compile(r"(?i)(?:token|secret|passw|api_?key|private|credential|auth)")
CRED_PATH = re.compile(
    r"~/\.ssh|\.ssh/id_|\bid_rsa\b|\bid_ed25519\b|\.aws/credentials|\.netrc\b|"
    r"\.npmrc\b|\.pypirc\b|\.git-credentials|\.docker/config\.json|\.kube/config|"
    r"/etc/shadow|\.gnupg|\.config/gh/hosts"
)
TREE_CALLS = frozenset(
    {"os.walk", "glob.glob", "glob.iglob", "os.listdir", "os.scandir", "inspect.getsource"}
)
TREE_METHODS = frozenset({"rglob", "glob", "iterdir", "walk"})
READ_METHODS = frozenset({"read_text", "read_bytes", "read", "readlines"})
USER_CALLS = frozenset({"input", "sys.stdin.read", "request.get_json", "request.get_data"})
USER_ATTRS = (
    "request.json",
    "request.form",
    "request.args",
    "request.data",
    "request.values",
    "request.files",
    "sys.argv",
    "sys.stdin",
)
SUBPROCESS = frozenset(
    {
        "subprocess.run",
        "subprocess.call",
        "subprocess.check_call",
        "subprocess.check_output",
        "subprocess.Popen",
        "os.system",
        "os.popen",
        "asyncio.create_subprocess_exec",
        "asyncio.create_subprocess_shell",
    }
)
HTTP_METHODS = frozenset(
    {"post", "put", "patch", "get", "request", "urlopen", "Request", "stream", "fetch"}
)
SEND_METHODS = frozenset(
    {
        "create",
        "generate_content",
        "generate",
        "chat",
        "complete",
        "completion",
        "stream",
        "send_message",
        "invoke",
        "call",
        "embed",
        "embeddings",
        "parse",
        "generate_content_async",
        "acreate",
        "ainvoke",
        "query",
        "messages",
    }
)
# Keyword arguments that configure a client or authenticate it: not data sent.
CONFIG_KWARGS = frozenset(
    {
        "api_key",
        "key",
        "token",
        "auth",
        "headers",
        "organization",
        "project",
        "base_url",
        "api_base",
        "model",
        "timeout",
        "max_retries",
        "http_client",
        "default_headers",
        "endpoint",
        "region",
        "location",
        "max_tokens",
        "temperature",
        "stream",
        "cwd",
        "env",
        "check",
        "text",
        "capture_output",
        "shell",
        "verify",
    }
)
