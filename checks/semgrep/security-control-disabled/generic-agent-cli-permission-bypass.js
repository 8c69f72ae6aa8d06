const { spawnSync } = require("child_process");
const checks = {
  // ruleid: generic-agent-cli-permission-bypass
  claude: { cmd: "claude", args: ["--dangerously-skip-permissions", "-p", PROMPT] },
  // ruleid: generic-agent-cli-permission-bypass
  gemini: { cmd: "gemini", args: ["--yolo", "-p", PROMPT] },
};
// ok: generic-agent-cli-permission-bypass
const r = spawnSync("claude", ["--version"]);
// ok: generic-agent-cli-permission-bypass
const opts = { yolo: false, dryRun: true };
