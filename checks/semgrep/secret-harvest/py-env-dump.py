import os

# ruleid: py-env-dump
env = os.environ.copy()
# ruleid: py-env-dump
snapshot = {k: v for k, v in os.environ.items() if k.startswith("APP_")}
# ok: py-env-dump
token = os.environ.get("GITHUB_TOKEN")
# ok: py-env-dump
home = os.environ["HOME"]
