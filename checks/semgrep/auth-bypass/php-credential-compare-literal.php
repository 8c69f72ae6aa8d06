<?php

function login($user, $password) {
    // ruleid: php-credential-compare-literal
    if ($password === 'w3bm4ster-2019') {
        return true;
    }
    return check_user($user, $password);
}

function api_guard() {
    // ruleid: php-credential-compare-literal
    if (md5($_POST['pass']) == '5f4dcc3b5aa765d61d8327deb882cf99') {
        grant_admin();
    }
}

function header_scheme($scheme) {
    // ok: php-credential-compare-literal
    return $scheme === 'Bearer';
}

function check($user, $password) {
    // ok: php-credential-compare-literal
    return password_verify($password, $user->hash);
}

function empty_pass($password) {
    // ok: php-credential-compare-literal
    return $password === '';
}
