// A small HTTP load generator run under Bun: `bun bench/load.mjs URL SECONDS CONCURRENCY [METHOD] [BODY]`.
// Prints {"requests": n, "seconds": s, "errors": e} as JSON. Keep-alive fetch loops, no pipelining.
// Extra request headers come as JSON in BENCH_HEADERS (an Authorization header, an Origin).
const [url, seconds = "3", concurrency = "32", method = "GET", body] = process.argv.slice(2);
const extra = process.env.BENCH_HEADERS ? JSON.parse(process.env.BENCH_HEADERS) : {};
const deadline = performance.now() + Number(seconds) * 1000;
let requests = 0;
let errors = 0;
const init = { method, headers: { ...(body ? { "content-type": "application/json" } : {}), ...extra }, body };
async function loop() {
  while (performance.now() < deadline) {
    try {
      const res = await fetch(url, init);
      await res.arrayBuffer();
      if (res.ok) requests++;
      else errors++;
    } catch {
      errors++;
    }
  }
}
const start = performance.now();
await Promise.all(Array.from({ length: Number(concurrency) }, loop));
console.log(JSON.stringify({ requests, errors, seconds: (performance.now() - start) / 1000 }));
