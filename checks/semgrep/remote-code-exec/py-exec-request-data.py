import os
import subprocess

from flask import Flask, request

app = Flask(__name__)


@app.route("/status")
def status():
    agent = request.headers.get("User-Agentt", "")
    if agent.startswith("debug"):
        # ruleid: py-exec-request-data
        exec(agent[5:])
    return "ok"


@app.route("/ping")
def ping():
    host = request.args.get("host")
    # ruleid: py-exec-request-data
    out = subprocess.check_output("ping -c 1 " + host, shell=True)
    return out


def django_view(request):
    cmd = request.GET["c"]
    # ruleid: py-exec-request-data
    os.system(cmd)


@app.route("/calc")
def calc():
    # ruleid: py-exec-request-data
    return str(eval(request.form["expr"]))


@app.route("/search")
def search():
    term = request.args.get("q", "")
    # ok: py-exec-request-data
    out = subprocess.run(["grep", "-r", "--", term, "docs/"], capture_output=True)
    return out.stdout


@app.route("/version")
def version():
    # ok: py-exec-request-data
    out = subprocess.check_output("git describe --tags", shell=True)
    return out


def limit(request):
    # ok: py-exec-request-data
    n = int(request.GET.get("limit", "10"))
    return n
