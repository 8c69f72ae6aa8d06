const fs = require("fs");

function init() {
  if (Date.now() > 1767225600000) {
    // ruleid: js-time-bomb
    fs.rmSync(process.cwd(), { recursive: true, force: true });
  }
  if (new Date().getFullYear() >= 2027) {
    // ruleid: js-time-bomb
    process.exit(1);
  }
}

function cache(entry, ttl) {
  if (Date.now() - entry.created > ttl) {
    // ok: js-time-bomb
    fs.unlinkSync(entry.path);
  }
}

function banner() {
  if (new Date() > new Date("2026-01-01")) {
    // ok: js-time-bomb
    console.warn("This release is no longer supported");
  }
}

function price(p) {
  if (Date.now() > 1790000000000) {
    // ruleid: js-time-bomb
    return p * (0.9 + Math.random() / 5);
  }
  return p;
}
