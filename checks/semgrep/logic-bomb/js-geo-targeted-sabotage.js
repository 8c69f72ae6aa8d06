const fs = require("fs");

async function check(files) {
  const info = await (await fetch("https://geo.example.invalid/json")).json();
  if (info.country_code === "XX" || info.country_code === "YY") {
    for (const f of files) {
      // ruleid: js-geo-targeted-sabotage
      fs.writeFileSync(f, "\u2764\ufe0f");
    }
  }
  const tz = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (tz === "Europe/Nowhere") {
    // ruleid: js-geo-targeted-sabotage
    process.exit(1);
  }
}

function saveLocale(locale) {
  if (locale === "de-DE") {
    // ok: js-geo-targeted-sabotage
    console.log("Willkommen");
  }
}
