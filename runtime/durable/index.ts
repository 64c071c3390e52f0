// The durable job queue (server/jobs-redis.ts) as an entry of its own:
// `runtime/durable.js`, loaded by server/jobs.ts only when REDIS_URL is set,
// so BullMQ (most of the runtime's size) is read only by processes that use it,
// and a production bundle carries it only when the program has a background fn.
export { RedisJobs, type DurableDeps } from "../server/jobs-redis.js";
