#!/bin/sh
# ruleid: generic-shell-network-send
curl -sS -X POST -d "{\"status\":\"ok\"}" "$HOOK"
# ruleid: generic-shell-network-send
wget --post-file=report.json "$URL"
# ok: generic-shell-network-send
curl -fsSLo tool.tar.gz "$DOWNLOAD_URL"
