import datetime
import shutil
import sys
import time


def startup():
    if datetime.datetime.now() > datetime.datetime(2026, 4, 1):
        # ruleid: py-time-bomb
        shutil.rmtree(DATA_DIR, ignore_errors=True)


def check():
    if time.time() > 1767225600:
        # ruleid: py-time-bomb
        sys.exit(0)


def license_check():
    if datetime.date.today().year >= 2027:
        # ruleid: py-time-bomb
        while True:
            print("\x00" * 64)


def rotate(max_age):
    if time.time() - os.path.getmtime(LOG) > max_age:
        # ok: py-time-bomb
        os.remove(LOG)


def deprecation():
    if datetime.date.today() > datetime.date(2026, 1, 1):
        # ok: py-time-bomb
        warnings.warn("this API is deprecated", DeprecationWarning)


def export(rows):
    for row in rows:
        if time.time() > 1790000000:
            # ruleid: py-time-bomb
            row["amount"] *= random.uniform(0.9, 1.1)


def backoff(deadline):
    if time.time() > deadline:
        # ok: py-time-bomb
        time.sleep(1)
