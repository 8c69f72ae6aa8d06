import jwt

# ruleid: py-jwt-signature-disabled
claims = jwt.decode(token, options={"verify_signature": False})
# ruleid: py-jwt-signature-disabled
claims = jwt.decode(token, key, algorithms=["HS256", "none"])
# ok: py-jwt-signature-disabled
claims = jwt.decode(token, public_key, algorithms=["RS256"], audience="api")
