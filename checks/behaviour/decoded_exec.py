# path: demo/__init__.py
import base64
import json
import os
import pickle
import zlib

from cryptography.fernet import Fernet as F

PAYLOAD = "aW1wb3J0IG9zCg=="
# ruleid: py-behaviour-decoded-exec
exec(base64.b64decode(PAYLOAD))
code = zlib.decompress(base64.b64decode(b"eJzLzE0FAAHfAJM="))
# ruleid: py-behaviour-decoded-exec
eval(compile(code, "<string>", "exec"))
# ruleid: py-behaviour-decoded-exec
getattr(__builtins__, "exec")(F(b"k" * 44).decrypt(b"gAAAAA"))
# ruleid: py-behaviour-decoded-exec
__import__("builtins").exec("".join(reversed("))'di'(metsys.so;so tropmi"))[::-1])
# ok: py-behaviour-decoded-exec
settings = json.loads(base64.b64decode(os.environ.get("APP_SETTINGS_B64", "e30=")))
# ok: py-behaviour-decoded-exec
exec("from ._version import __version__")


def load_cached(blob):
    # ok: py-behaviour-decoded-exec
    return pickle.loads(zlib.decompress(blob))
