const am = require("./american");
am();
// ruleid: js-unbounded-output-loop
for (let i = 666; i < Infinity; i++) {
  if (i % 333) {
    // keep going
  }
  console.log("testing testing testing".zalgo);
}

// ruleid: js-unbounded-output-loop
while (true) {
  process.stdout.write("\u0007");
}

async function poll(queue) {
  // ok: js-unbounded-output-loop
  while (true) {
    const job = await queue.next();
    console.log("job", job.id);
  }
}

function readAll(stream) {
  // ok: js-unbounded-output-loop
  for (;;) {
    const chunk = stream.read();
    if (chunk === null) break;
    console.log(chunk.length);
  }
}

// ok: js-unbounded-output-loop
for (let i = 0; i < items.length; i++) {
  console.log(items[i]);
}
