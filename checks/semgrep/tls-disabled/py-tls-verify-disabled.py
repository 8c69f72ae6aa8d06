import ssl

import requests

# ruleid: py-tls-verify-disabled
r = requests.get(URL, verify=False)
# ruleid: py-tls-verify-disabled
ctx = ssl._create_unverified_context()
context = ssl.create_default_context()
# ok: py-tls-verify-disabled
context.check_hostname = True
# ruleid: py-tls-verify-disabled
context.verify_mode = ssl.CERT_NONE
# ok: py-tls-verify-disabled
r = requests.get(URL, verify="/etc/ssl/internal-ca.pem")
# ok: py-tls-verify-disabled
r = requests.get(URL, verify=settings.VERIFY_TLS)
# ok: py-tls-verify-disabled
context.verify_mode = ssl.CERT_REQUIRED
