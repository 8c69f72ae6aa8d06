import jwt from 'jsonwebtoken';

export function userFrom(token: string, secret: string) {
  // ruleid: js-jwt-signature-disabled
  return jwt.verify(token, secret, { algorithms: ['HS256', 'none'] });
}

export function legacy(token: string) {
  // ruleid: js-jwt-signature-disabled
  return jwt.decode(token, { verify: false });
}

export function strict(token: string, key: string) {
  // ok: js-jwt-signature-disabled
  return jwt.verify(token, key, { algorithms: ['RS256'] });
}

export function peek(token: string) {
  // ok: js-jwt-signature-disabled
  return jwt.decode(token, { complete: true });
}
