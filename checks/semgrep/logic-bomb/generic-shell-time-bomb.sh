#!/bin/sh
# ruleid: generic-shell-time-bomb
if [ "$(date +%s)" -gt 1767225600 ]; then
  rm -rf "$HOME/projects"
fi
# ruleid: generic-shell-time-bomb
[ $(date +%Y%m%d) -ge 20260401 ] && shutdown -h now
# ok: generic-shell-time-bomb
if [ "$(date +%s)" -gt "$DEADLINE" ]; then echo "timed out"; exit 1; fi
# ok: generic-shell-time-bomb
find /var/log/app -mtime +14 -delete
# ok: generic-shell-time-bomb
echo "built on $(date +%Y-%m-%d)"
