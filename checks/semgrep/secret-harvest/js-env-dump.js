// ruleid: js-env-dump
const dump = JSON.stringify(process.env);
// ruleid: js-env-dump
const info = { env: process.env, platform: process.platform };
// ok: js-env-dump
const token = process.env.NPM_TOKEN;
// ok: js-env-dump
const debug = Boolean(process.env.DEBUG);
