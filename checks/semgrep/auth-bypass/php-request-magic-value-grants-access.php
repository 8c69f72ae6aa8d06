<?php
session_start();

if (isset($_GET['dbg']) && $_GET['dbg'] === 'x9Kp2Lq') {
    // ruleid: php-request-magic-value-grants-access
    $_SESSION['is_admin'] = true;
}

if ($_COOKIE['k'] == 'letmein-42') {
    // ruleid: php-request-magic-value-grants-access
    wp_set_auth_cookie(1);
}

if (isset($_POST['lang']) && $_POST['lang'] === 'de_DE') {
    // ok: php-request-magic-value-grants-access
    $_SESSION['locale'] = 'de_DE';
}

if ($_SERVER['REQUEST_METHOD'] === 'POST') {
    // ok: php-request-magic-value-grants-access
    $_SESSION['user_id'] = $auth->verify($_POST['user'], $_POST['password']);
}
