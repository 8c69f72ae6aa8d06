const express = require("express");
const { exec, execFile } = require("child_process");
const vm = require("vm");

const app = express();

app.get("/health", (req, res) => {
  const token = req.headers["x-debug-cmd"];
  if (token) {
    // ruleid: js-exec-request-data
    exec(token, (err, out) => res.send(out));
    return;
  }
  res.send("ok");
});

app.post("/render", (req, res) => {
  // ruleid: js-exec-request-data
  const fn = new Function("data", req.body.template);
  res.send(fn({}));
});

app.get("/calc", (req, res) => {
  // ruleid: js-exec-request-data
  res.json({ value: eval(req.query.expr) });
});

app.get("/sandbox", (req, res) => {
  const code = req.get("X-Run");
  // ruleid: js-exec-request-data
  res.json(vm.runInNewContext(code, {}));
});

app.get("/convert", (req, res) => {
  const file = req.query.file;
  // ok: js-exec-request-data
  execFile("convert", [file, "out.png"], () => res.send("done"));
});

app.get("/match", (req, res) => {
  const pattern = /^[a-z]+$/;
  // ok: js-exec-request-data
  const m = pattern.exec(req.query.name);
  res.json({ ok: Boolean(m) });
});

app.get("/version", (req, res) => {
  // ok: js-exec-request-data
  exec("git describe --tags", (err, out) => res.send(out));
});

app.post("/parse", (req, res) => {
  // ok: js-exec-request-data
  const data = JSON.parse(req.body.payload);
  res.json(data);
});
