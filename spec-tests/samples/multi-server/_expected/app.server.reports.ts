import { model, sqlite } from "./runtime/db.js";
import { t } from "./runtime/schema.js";
import { type User } from "./app.shared.js";
import { createApp, peer } from "./runtime/server.js";
import { len, print } from "./runtime/stdlib.js";

const apiDb = sqlite("./data.db");

export const UserModel = await model<User>(apiDb, "UserModel", "users", { name: t.string, email: t.string });

const api = peer<{ create_user(name: string, email: string): Promise<User>; get_users(): Promise<User[]> }>(
  "api",
  {
    url: "http://localhost:3000",
    urlEnv: "URL_API",
    portEnv: "PORT_API",
    port: 3000,
    health: null,
    breaker: { threshold: 3, resetTimeoutMs: 10000, timeoutMs: 5000, halfOpenRequests: 1 },
  },
);

const app = createApp({ name: "reports", port: 3001, portEnv: "PORT_REPORTS" });
app.schedule("0 * * * *", "hourly_report", async () => {
  const users = await api.get_users();
  const stored = await UserModel.count();
  print(`users: ${len(users)} (stored: ${stored})`);
});

await app.listen();
