import hashlib

from Crypto.Cipher import AES
from cryptography.hazmat.primitives.ciphers import modes

# ruleid: py-weak-crypto
stored = hashlib.md5(password.encode()).hexdigest()
# ruleid: py-weak-crypto
cipher = AES.new(key, AES.MODE_ECB)
# ruleid: py-weak-crypto
cipher = AES.new(key, AES.MODE_CBC, b"0000000000000000")
# ruleid: py-weak-crypto
key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
# ok: py-weak-crypto
digest = hashlib.sha1(distinct_id.encode()).hexdigest()
# ok: py-weak-crypto
cipher = AES.new(key, AES.MODE_GCM, nonce=os.urandom(12))
# ok: py-weak-crypto
key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
