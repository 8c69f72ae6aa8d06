#!/bin/sh
# ruleid: generic-verification-bypass
git commit --no-verify -m "update"
# ruleid: generic-verification-bypass
yum install -y --nogpgcheck agent
# ruleid: generic-verification-bypass
echo "deb [trusted=yes] http://repo.example.invalid/ stable main" > /etc/apt/sources.list.d/x.list
# ruleid: generic-verification-bypass
export GOSUMDB=off
# ok: generic-verification-bypass
git commit -m "update"
# ok: generic-verification-bypass
gpg --batch --verify python.tar.xz.asc python.tar.xz
