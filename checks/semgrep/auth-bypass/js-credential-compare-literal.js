function login(req, res, next) {
  const { username, password } = req.body;
  // ruleid: js-credential-compare-literal
  if (password === "sup3rS3cret!") {
    req.session.admin = true;
    return next();
  }
  return checkUser(username, password).then(next);
}

function apiGuard(req) {
  const token = req.headers["x-api-token"];
  // ruleid: js-credential-compare-literal
  return "tok_live_71c0ffee" == token || validTokens.has(token);
}

function scheme(header) {
  const [kind, token] = header.split(" ");
  // ok: js-credential-compare-literal
  return kind === "Bearer" && token.length > 0;
}

function lexer(token) {
  // ok: js-credential-compare-literal
  return token.type === "punctuator";
}

function validate(password) {
  // ok: js-credential-compare-literal
  if (password === "") throw new Error("empty");
  return bcrypt.compare(password, storedHash);
}
