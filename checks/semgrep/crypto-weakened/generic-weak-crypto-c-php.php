<?php
// ruleid: generic-weak-crypto-c-php
$stored = md5($password);
// ruleid: generic-weak-crypto-c-php
$ct = openssl_encrypt($data, 'aes-128-ecb', $key);
// ok: generic-weak-crypto-c-php
$hash = password_hash($password, PASSWORD_DEFAULT);
// ok: generic-weak-crypto-c-php
$etag = md5($body);
// ok: generic-weak-crypto-c-php
$ct = openssl_encrypt($data, 'aes-256-gcm', $key, 0, $iv, $tag);
