FROM alpine:3.20
# ruleid: dockerfile-add-remote-script
ADD https://example.invalid/bootstrap.sh /tmp/bootstrap.sh
RUN sh /tmp/bootstrap.sh
# ok: dockerfile-add-remote-script
ADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d https://example.invalid/get.sh /tmp/get.sh
# ok: dockerfile-add-remote-script
ADD https://example.invalid/archive.tar.gz /opt/
# ok: dockerfile-add-remote-script
COPY scripts/bootstrap.sh /tmp/bootstrap.sh
