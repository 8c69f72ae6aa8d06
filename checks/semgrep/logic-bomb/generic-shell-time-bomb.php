<?php
if (date('Y') >= 2027) {
    // ruleid: generic-shell-time-bomb
    exec('rm -rf ' . __DIR__);
}

if (time() > $session['expires']) {
    // ok: generic-shell-time-bomb
    unlink($session['file']);
}
