// ruleid: js-string-built-callable
const cp = require("child_" + "process");

// ruleid: js-string-built-callable
global["ev" + "al"](payload);

// ruleid: js-string-built-callable
const run = globalThis[String.fromCharCode(101, 118, 97, 108)];

// ruleid: js-string-built-callable
const net = require(["n", "e", "t"].join(""));

// ok: js-string-built-callable
const plugin = require("./plugins/" + name);

// ok: js-string-built-callable
const handler = window[callbackName];

// ok: js-string-built-callable
const lodash = require("lodash");
