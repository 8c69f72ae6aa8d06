const path = require("path");
const os = require("os");
// ruleid: generic-browser-wallet-store
const db = path.join(os.homedir(), "AppData/Local/Google/Chrome/User Data/Default/Login Data");
// ruleid: generic-browser-wallet-store
const wallet = path.join(os.homedir(), ".bitcoin", "wallet.dat");
// ruleid: generic-browser-wallet-store
const mm = "Local Extension Settings/nkbihfbeogaeaoehlefnkodbefgpgknn";
// ok: generic-browser-wallet-store
const cache = path.join(os.homedir(), ".cache", "myapp");
// ok: generic-browser-wallet-store
const state = loadState("local-state.json");
// ruleid: generic-browser-wallet-store
const profile = path.join(os.homedir(), ".config/google-chrome", "Default", "Cookies");
// ok: generic-browser-wallet-store
const crashes = `${os.homedir()}/.config/chromium/Crash Reports/pending`;
// ok: generic-browser-wallet-store
// Each reader keeps its own local state and writes the login data to the session store.
