import { model, postgres } from "./runtime/db.js";
import { t } from "./runtime/schema.js";
import { Date, env } from "./runtime/stdlib.js";
import { createApp } from "./runtime/server.js";

const db = postgres(env("PG_URL"), { pool: 20 });

export interface Event {
  id: number;
  name: string;
  at: number;
}
export const Event = await model<Event>(db, "Event", "events", { name: t.string, at: t.int });

export async function recent_logins(): Promise<Event[]> {
  return await Event.where({
    at_gte: Date.now() - 3_600_000 /* 1.hours */,
    name_like: "%login%",
    name_ne: "logout",
  });
}

const app = createApp({ name: null, port: 3000, portEnv: "PORT" });
app.route("GET", "/events/logins", recent_logins, []);
app.rpc("recent_logins", recent_logins, []);

await app.listen();
