const https = require('https');

// ruleid: generic-secret-env-read
const token = process.env.NPM_TOKEN;
// ruleid: generic-secret-env-read
const key = process.env['AWS_SECRET_ACCESS_KEY'];
// ok: generic-secret-env-read
const port = process.env.PORT || 8080;
