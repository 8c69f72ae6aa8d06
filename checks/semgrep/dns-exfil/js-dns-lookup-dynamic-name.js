const dns = require("dns");

function leak(chunks) {
  chunks.forEach((c, i) => {
    // ruleid: js-dns-lookup-dynamic-name
    dns.resolve(`${i}.${c}.q.example.net`, () => {});
  });
}

function concat(label, cb) {
  // ruleid: js-dns-lookup-dynamic-name
  dns.lookup(label + ".t.example.org", cb);
}

function fixed(cb) {
  // ok: js-dns-lookup-dynamic-name
  dns.lookup("registry.example.com", cb);
}

function configured(host, cb) {
  // ok: js-dns-lookup-dynamic-name
  dns.lookup(host, cb);
}
