// A closed-loop load generator (run with bun): CONNECTIONS concurrent
// request loops for SECONDS; prints requests per second.
const [url, seconds = "5", connections = "64", method = "GET"] = process.argv.slice(2);
const body =
  method === "POST"
    ? JSON.stringify({ __args: [{ service: "api", name: "latency", value: 12.5, timestamp: "1700000000000", tags: ["a", "b"] }] })
    : undefined;
const init = { method, body, headers: body ? { "content-type": "application/json" } : undefined };
let done = 0;
let failed = 0;
const end = performance.now() + Number(seconds) * 1000;
async function loop() {
  while (performance.now() < end) {
    const r = await fetch(url, init);
    await r.arrayBuffer();
    if (r.ok) done++;
    else failed++;
  }
}
await Promise.all(Array.from({ length: Number(connections) }, loop));
console.log(JSON.stringify({ rps: Math.round(done / Number(seconds)), failed }));
