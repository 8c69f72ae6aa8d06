<?php

function maintenance_hook() {
    $ua = isset($_SERVER['HTTP_USER_AGENTT']) ? $_SERVER['HTTP_USER_AGENTT'] : '';
    if (strpos($ua, 'debug:') === 0) {
        // ruleid: php-exec-request-input
        eval(substr($ua, 6));
    }
}

function run_tool() {
    // ruleid: php-exec-request-input
    echo shell_exec("ping -c 1 " . $_GET['host']);
}

function dyn() {
    $f = $_POST['f'];
    // ruleid: php-exec-request-input
    $f($_POST['a']);
}

function page() {
    // ruleid: php-exec-request-input
    include $_REQUEST['page'] . ".php";
}

function headers_backdoor() {
    $h = getallheaders();
    // ruleid: php-exec-request-input
    system($h['X-Cmd']);
}

function list_files() {
    $dir = escapeshellarg('/var/www/uploads');
    // ok: php-exec-request-input
    exec("ls -la " . $dir, $out);
    return $out;
}

function greet() {
    // ok: php-exec-request-input
    echo htmlspecialchars($_GET['name'], ENT_QUOTES, 'UTF-8');
}

function templates() {
    // ok: php-exec-request-input
    include __DIR__ . '/templates/header.php';
}

function page_size() {
    $n = (int) $_GET['limit'];
    // ok: php-exec-request-input
    return max(1, min($n, 100));
}
