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
