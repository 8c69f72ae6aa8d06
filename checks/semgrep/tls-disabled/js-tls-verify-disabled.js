const https = require("https");
// ruleid: js-tls-verify-disabled
const agent = new https.Agent({ rejectUnauthorized: false });
// ruleid: js-tls-verify-disabled
process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0";
// ok: js-tls-verify-disabled
const strict = new https.Agent({ rejectUnauthorized: true, ca: fs.readFileSync("ca.pem") });
// ok: js-tls-verify-disabled
const opts = { rejectUnauthorized: config.tlsVerify };
