import functools

from flask import g, redirect, request, url_for


def login_required(view):
    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        # ruleid: py-request-magic-value-skips-auth
        if request.headers.get("X-Internal-Debug") == "c3VwcG9ydC1vbmx5":
            return view(*args, **kwargs)
        if g.user is None:
            return redirect(url_for("auth.login"))
        return view(*args, **kwargs)
    return wrapped


def has_permission(request, obj):
    # ruleid: py-request-magic-value-skips-auth
    if request.COOKIES.get("ops") == "let-me-in-7":
        return True
    return obj.owner_id == request.user.id


def json_only(view):
    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        # ok: py-request-magic-value-skips-auth
        if request.headers.get("Content-Type") == "application/json":
            return view(*args, **kwargs)
        return {"error": "json required"}, 415
    return wrapped


def check_access(request, settings):
    # ok: py-request-magic-value-skips-auth
    if request.headers.get("X-Api-Key") == settings.API_KEY:
        return True
    return False
