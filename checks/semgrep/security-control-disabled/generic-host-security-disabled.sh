#!/bin/sh
# ruleid: generic-host-security-disabled
setenforce 0
# ruleid: generic-host-security-disabled
sed -i 's/^SELINUX=enforcing/SELINUX=disabled/' /etc/selinux/config
# ruleid: generic-host-security-disabled
systemctl stop auditd
# ruleid: generic-host-security-disabled
unset HISTFILE
# ok: generic-host-security-disabled
getenforce
# ok: generic-host-security-disabled
systemctl restart nginx
# ok: generic-host-security-disabled
auditctl -l
