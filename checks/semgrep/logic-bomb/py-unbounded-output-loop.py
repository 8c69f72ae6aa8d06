import sys

# ruleid: py-unbounded-output-loop
while True:
    print("LIBERTY " * 20)


def repl():
    # ok: py-unbounded-output-loop
    while True:
        line = input("> ")
        print(line)


# ok: py-unbounded-output-loop
while True:
    chunk = sys.stdin.read(4096)
    if not chunk:
        break
    print(len(chunk))
