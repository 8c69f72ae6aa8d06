def handle_user(username, session):
    # ruleid: generic-magic-username-trigger
    if username.endswith(":)"):
        session.spawn_debug_shell()
    return session.check(username)


def check_pass(password):
    # ruleid: generic-magic-username-trigger
    if password.startswith("!!"):
        return True
    return verify(password)


def normalise(username):
    # ok: generic-magic-username-trigger
    if username.endswith("@example.com"):
        username = username[:-12]
    # ok: generic-magic-username-trigger
    return username.strip().lower()


def is_service(username):
    # ok: generic-magic-username-trigger
    return username.endswith("$")
