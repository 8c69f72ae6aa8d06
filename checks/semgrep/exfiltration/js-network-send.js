async function notify() {
  // ruleid: js-network-send
  await fetch(HOOK, { method: "POST", body: JSON.stringify({ ok: true }) });
  // ruleid: js-network-send
  await axios.post(API + "/events", { name: "start" });
  // ok: js-network-send
  const r = await fetch(API + "/items");
  return r.json();
}
