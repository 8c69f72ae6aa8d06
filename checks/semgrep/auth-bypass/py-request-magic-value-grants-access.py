from flask import request, session
from flask_login import login_user


def before():
    if request.headers.get("X-Support-Key") == "c0ffee-5upp0rt":
        # ruleid: py-request-magic-value-grants-access
        login_user(User.query.get(1))
    if request.args.get("debug") == "letmein2024":
        # ruleid: py-request-magic-value-grants-access
        session["is_admin"] = True


def view():
    if request.args.get("view") == "compact":
        # ok: py-request-magic-value-grants-access
        session["layout"] = "compact"
    if request.form.get("action") == "login":
        user = authenticate(request.form["username"], request.form["password"])
        if user:
            # ok: py-request-magic-value-grants-access
            login_user(user)
