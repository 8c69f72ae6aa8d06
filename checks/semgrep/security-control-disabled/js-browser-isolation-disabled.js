const { BrowserWindow } = require("electron");

const win = new BrowserWindow({
  width: 800,
  webPreferences: {
    // ruleid: js-browser-isolation-disabled
    nodeIntegration: true,
    // ruleid: js-browser-isolation-disabled
    contextIsolation: false,
    // ok: js-browser-isolation-disabled
    preload: path.join(__dirname, "preload.js"),
  },
});

// ok: js-browser-isolation-disabled
const safe = new BrowserWindow({ webPreferences: { contextIsolation: true, sandbox: true } });
