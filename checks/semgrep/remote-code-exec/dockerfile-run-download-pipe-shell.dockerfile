FROM debian:bookworm-slim
# ruleid: dockerfile-run-download-pipe-shell
RUN curl -fsSL https://deb.example.invalid/setup_20.x | bash -
# ruleid: dockerfile-run-download-pipe-shell
RUN apt-get update && \
    wget -qO- https://example.invalid/agent | sh
# ok: dockerfile-run-download-pipe-shell
RUN wget -O python.tar.xz "https://www.python.org/ftp/python/${PYTHON_VERSION}/Python-${PYTHON_VERSION}.tar.xz"; \
    echo "$PYTHON_SHA256 *python.tar.xz" | sha256sum -c -
# ok: dockerfile-run-download-pipe-shell
RUN curl -fsSL "$URL" | tar -xJ -C /usr/local
