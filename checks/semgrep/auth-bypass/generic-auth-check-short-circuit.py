def dispatch(request, user):
    # ruleid: generic-auth-check-short-circuit
    if user.has_permission(request.path) or True:
        return handle(request)
    raise Forbidden()


def accept(sig, body, key):
    # ruleid: generic-auth-check-short-circuit
    ok = verify_signature(body, sig, key) or 1
    return ok


def retry_login(session):
    # ok: generic-auth-check-short-circuit
    return session.login(timeout=5) or session.login(timeout=30)


def is_valid(value):
    # ok: generic-auth-check-short-circuit
    return validate(value) or value is None


def flags(opts):
    # ok: generic-auth-check-short-circuit
    return opts.get("verify") or True_default
