<?php
// ruleid: php-eval-decoded-payload
eval(base64_decode('ZWNobyAiaGkiOw=='));

// ruleid: php-eval-decoded-payload
eval(gzinflate(str_rot13(base64_decode($blob))));

$code = strrev(hex2bin($packed));
// ruleid: php-eval-decoded-payload
assert($code);

$f = base64_decode('c3lzdGVt');
// ruleid: php-eval-decoded-payload
$f($_GET['c']);

// ok: php-eval-decoded-payload
$image = base64_decode($_POST['avatar']);

// ok: php-eval-decoded-payload
$settings = json_decode(gzinflate($cached), true);

// ok: php-eval-decoded-payload
echo htmlspecialchars(urldecode($q));
