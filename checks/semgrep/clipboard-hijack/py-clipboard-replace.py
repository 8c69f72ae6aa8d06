import re
import time

import pyperclip

ADDR = re.compile(r"^(bc1|[13])[a-zA-HJ-NP-Z0-9]{25,39}$")


def watch():
    while True:
        current = pyperclip.paste()
        if ADDR.match(current):
            # ruleid: py-clipboard-replace
            pyperclip.copy(REPLACEMENT)
        time.sleep(0.5)


def copy_link(url):
    # ok: py-clipboard-replace
    pyperclip.copy(url)
    print("copied")
