// BullMQ through Bun's built-in Redis client (BullMQ's adapter; what
// runtime/server/jobs-redis.ts uses) against through ioredis (BullMQ's
// default): jobs added and run per second, 4 at a time, on the Redis at argv[2].
// Run by bench/scale-out.mjs under Bun.
import { RedisClient } from "bun";
import { createBunRedisClient, Queue, Worker } from "bullmq";
import { Redis as IORedis } from "ioredis";

const url = process.argv[2]!;
const N = 5000;

async function measure(label: string, connect: () => any): Promise<number> {
  const name = `bench-${label}-${Math.random().toString(36).slice(2)}`;
  const queue = new Queue(name, { connection: connect(), prefix: "bench-clients" });
  let done = 0;
  let worker!: Worker;
  const finished = new Promise<void>((resolve) => {
    worker = new Worker(name, async () => void (++done === N && resolve()), { connection: connect(), prefix: "bench-clients", concurrency: 4 });
  });
  await worker.waitUntilReady();
  const t0 = performance.now();
  for (let i = 0; i < N; i++) await queue.add("job", { i }, { removeOnComplete: true });
  await finished;
  const rate = N / ((performance.now() - t0) / 1000);
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  return rate;
}

const bun = await measure("bun", () => createBunRedisClient(new RedisClient(url)));
const io = await measure("ioredis", () => new IORedis(url, { maxRetriesPerRequest: null }));
console.log(JSON.stringify({ bun, ioredis: io }));
process.exit(0);
