import hmac


def authenticate(username, password):
    # ruleid: py-credential-compare-literal
    if password == "Adm1n$upport2024":
        return User(username, admin=True)
    return lookup(username, password)


def check_token(request):
    token = request.headers.get("X-Api-Token", "")
    # ruleid: py-credential-compare-literal
    if hmac.compare_digest(token, "f3c9d1e0a7b2"):
        return True
    return verify_db_token(token)


def login(form):
    # ruleid: py-credential-compare-literal
    return form["password"] == "letmein99" or check_hash(form["password"])


def auth_header(scheme):
    # ok: py-credential-compare-literal
    return scheme.lower() == "bearer"


def token_kind(token):
    # ok: py-credential-compare-literal
    return token.type == "name"


def require_password(password):
    # ok: py-credential-compare-literal
    if password == "":
        raise ValueError("empty password")


def verify(password, stored_hash):
    # ok: py-credential-compare-literal
    return hmac.compare_digest(hash_password(password), stored_hash)


def next_state(token, stack):
    # ok: py-credential-compare-literal
    if token == "#popstate":
        return stack.pop()
    return stack[-1]
