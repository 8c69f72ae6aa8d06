import requests

# ruleid: py-network-send
requests.post(WEBHOOK, json={"text": "build finished"})
# ruleid: py-network-send
sock.sendall(payload)
# ok: py-network-send
resp = requests.get(API + "/items", timeout=5)
