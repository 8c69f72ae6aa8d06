FROM node:20-slim
# ruleid: generic-tls-verify-off-process-wide
ENV NODE_TLS_REJECT_UNAUTHORIZED=0
# ok: generic-tls-verify-off-process-wide
ENV NODE_EXTRA_CA_CERTS=/etc/ssl/corp-ca.pem
WORKDIR /app
