const crypto = require("crypto");
// ruleid: js-weak-crypto
const c1 = crypto.createCipher("aes192", secret);
// ruleid: js-weak-crypto
const c2 = crypto.createCipheriv("aes-128-ecb", key, null);
// ruleid: js-weak-crypto
const c3 = crypto.createCipheriv("aes-256-cbc", key, Buffer.alloc(16, 0));
// ruleid: js-weak-crypto
const h = crypto.createHash("md5").update(user.password).digest("hex");
// ok: js-weak-crypto
const c4 = crypto.createCipheriv("aes-256-gcm", key, crypto.randomBytes(12));
// ok: js-weak-crypto
const etag = crypto.createHash("md5").update(body).digest("hex");
