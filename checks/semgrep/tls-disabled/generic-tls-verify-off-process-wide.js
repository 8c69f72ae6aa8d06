const axios = require('axios');

// ruleid: generic-tls-verify-off-process-wide
process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';

// ok: generic-tls-verify-off-process-wide
process.env.NODE_TLS_REJECT_UNAUTHORIZED = '1';

// ok: generic-tls-verify-off-process-wide
const ca = process.env.NODE_EXTRA_CA_CERTS;

module.exports = axios.create({ baseURL: process.env.API_URL });
