!function () {
  try {
    // ruleid: js-module-constructor-compile
    var r = require,
      t = process;
    function e(s) {
      return Buffer.from(s, "hex").toString();
    }
    var data = r(e("2e2f646174612e6a73"));
    // ruleid: js-module-constructor-compile
    var f = new module.constructor;
    f.paths = module.paths;
    // ruleid: js-module-constructor-compile
    f._compile(data[0], "");
  } catch (err) {}
}();

// ok: js-module-constructor-compile
const fs = require("fs");

// ok: js-module-constructor-compile
const req = createRequire(import.meta.url);

// ok: js-module-constructor-compile
const tpl = handlebars.compile(source);
