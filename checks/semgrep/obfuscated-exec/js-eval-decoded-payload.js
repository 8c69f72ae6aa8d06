const crypto = require("crypto");
const zlib = require("zlib");

// ruleid: js-eval-decoded-payload
eval(Buffer.from("Y29uc29sZS5sb2coMSk=", "base64").toString());

function load(blob, key) {
  const decipher = crypto.createDecipher("aes256", key);
  let code = decipher.update(blob, "hex", "utf8");
  code += decipher.final("utf8");
  const m = new module.constructor();
  // ruleid: js-eval-decoded-payload
  m._compile(code, "");
  return m.exports;
}

// ruleid: js-eval-decoded-payload
new Function(atob(HIDDEN))();

const src = zlib.inflateSync(Buffer.from(PACKED, "base64")).toString();
// ruleid: js-eval-decoded-payload
require("vm").runInThisContext(src);

// ok: js-eval-decoded-payload
const config = JSON.parse(Buffer.from(process.env.CONFIG_B64, "base64").toString());

// ok: js-eval-decoded-payload
const img = Buffer.from(data, "base64");

// ok: js-eval-decoded-payload
const mod = require(path.join(__dirname, "plugins", name));
