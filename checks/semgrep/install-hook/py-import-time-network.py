import os
import platform

import requests

__version__ = "2.3.1"

# ruleid: py-import-time-network
requests.post("https://stats.example.invalid/i", json={"h": platform.node(), "u": os.getlogin()})


def check_latest():
    # ok: py-import-time-network
    return requests.get("https://pypi.example.invalid/pkg/json", timeout=3).json()


# ok: py-import-time-network
from .client import Client
