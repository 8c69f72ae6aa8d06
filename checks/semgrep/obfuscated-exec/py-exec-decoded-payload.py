import base64
import codecs
import marshal
import zlib

# ruleid: py-exec-decoded-payload
exec(base64.b64decode("cHJpbnQoJ2hlbGxvJyk="))

blob = zlib.decompress(base64.b64decode(PAYLOAD))
# ruleid: py-exec-decoded-payload
exec(compile(blob, "<string>", "exec"))

# ruleid: py-exec-decoded-payload
exec(marshal.loads(CODE_OBJECT))

src = codecs.decode(HIDDEN, "rot13")
# ruleid: py-exec-decoded-payload
eval(src)

# ok: py-exec-decoded-payload
config = base64.b64decode(os.environ["APP_CONFIG_B64"]).decode("utf-8")

# ok: py-exec-decoded-payload
exec(compile(open(path).read(), path, "exec"), namespace)

# ok: py-exec-decoded-payload
data = zlib.decompress(response.content)


def load_cached(row):
    # ok: py-exec-decoded-payload
    return pickle.loads(base64.b64decode(row.blob))


# ruleid: py-exec-decoded-payload
state = pickle.loads(base64.b64decode("gASVKAAAAAAAAACMBXBvc2l4lIwGc3lzdGVtlJOUjAJpZJSFlFKULg=="))
PACKED = "gASVKAAAAAAAAACMBXBvc2l4lIwGc3lzdGVtlJOUjAJpZJSFlFKULg=="
# ruleid: py-exec-decoded-payload
obj = pickle.loads(base64.b64decode(PACKED))


def cached(client, name):
    key = "cache:v2:"
    # ok: py-exec-decoded-payload
    return pickle.loads(base64.b64decode(client.get(key + name)))
