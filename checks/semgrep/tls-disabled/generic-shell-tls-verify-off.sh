#!/bin/sh
# ruleid: generic-shell-tls-verify-off
curl -fsSLk "$URL" -o tool.tgz
# ruleid: generic-shell-tls-verify-off
wget --no-check-certificate "$URL"
# ruleid: generic-shell-tls-verify-off
git -c http.sslVerify=false clone "$REPO"
# ok: generic-shell-tls-verify-off
curl -fsSL --cacert /etc/ssl/internal.pem "$URL" -o tool.tgz
# ok: generic-shell-tls-verify-off
curl -fsSL -o tool.tgz "$URL"
