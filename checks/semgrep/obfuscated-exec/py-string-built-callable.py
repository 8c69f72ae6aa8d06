import builtins
import base64

# ruleid: py-string-built-callable
run = getattr(builtins, "ex" + "ec")

# ruleid: py-string-built-callable
sp = __import__("sub" + "process")

# ruleid: py-string-built-callable
fn = getattr(__import__("os"), "metsys"[::-1])

# ruleid: py-string-built-callable
mod = __import__(base64.b64decode("b3M=").decode())

# ok: py-string-built-callable
handler = getattr(self, "handle_" + event.kind)

# ok: py-string-built-callable
backend = importlib.import_module(settings.BACKEND)

# ok: py-string-built-callable
value = getattr(obj, name, None)

# ruleid: py-string-built-callable
s = getattr(__import__("o" "s"), "".join(["sys", "tem"]))

# ok: py-string-built-callable
plugin = importlib.import_module(".".join([package, "plugins", name]))
