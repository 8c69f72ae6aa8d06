<?php
$ch = curl_init($url);
// ruleid: generic-tls-library-verify-off
curl_setopt($ch, CURLOPT_SSL_VERIFYPEER, false);
// ruleid: generic-tls-library-verify-off
curl_setopt($ch, CURLOPT_SSL_VERIFYHOST, 0);
// ok: generic-tls-library-verify-off
curl_setopt($ch, CURLOPT_SSL_VERIFYPEER, true);
// ok: generic-tls-library-verify-off
curl_setopt($ch, CURLOPT_CAINFO, '/etc/ssl/internal-ca.pem');
$ctx = stream_context_create(['ssl' => [
    // ruleid: generic-tls-library-verify-off
    'verify_peer' => false,
    // ok: generic-tls-library-verify-off
    'cafile' => '/etc/ssl/internal-ca.pem',
]]);
