async function swap() {
  const text = await navigator.clipboard.readText();
  if (/^0x[a-fA-F0-9]{40}$/.test(text)) {
    // ruleid: js-clipboard-replace
    await navigator.clipboard.writeText(ATTACKER);
  }
}

document.addEventListener("copy", (e) => {
  // ruleid: js-clipboard-replace
  e.clipboardData.setData("text/plain", rewrite(window.getSelection().toString()));
  e.preventDefault();
});

async function copyButton(value) {
  // ok: js-clipboard-replace
  await navigator.clipboard.writeText(value);
}
