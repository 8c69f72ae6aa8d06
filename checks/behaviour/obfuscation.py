# path: pretty/__init__.py
import base64
import marshal
import zlib

color_print, text_type = exec, str
_ = lambda blob: marshal.loads(zlib.decompress(base64.b64decode(blob[::-1])))
# ruleid: py-behaviour-decoded-exec
exec(_(b"=AAAA"))
# ruleid: py-behaviour-decoded-exec
exec("".join(map(chr, [112, 114, 105, 110, 116, 40, 41])))


def render(code_parts):
    # ruleid: py-behaviour-renamed-exec
    color_print(text_type("").join(code_parts))


def define(src, ns):
    # ok: py-behaviour-renamed-exec
    exec(src, ns)


def label(value):
    # ok: py-behaviour-decoded-exec
    return "".join(chr(ord(c) ^ 32) for c in value)


render(["print(", "1)"])
