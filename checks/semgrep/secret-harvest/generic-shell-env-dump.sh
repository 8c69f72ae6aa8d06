#!/bin/sh
# ruleid: generic-shell-env-dump
printenv | sort > /tmp/env.txt
# ruleid: generic-shell-env-dump
ALL="$(env)"
# ok: generic-shell-env-dump
echo "HOME is $HOME"
# ok: generic-shell-env-dump
env -i PATH="$PATH" ./configure
