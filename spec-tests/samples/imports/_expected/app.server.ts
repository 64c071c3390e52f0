import dayjs from "dayjs";
import { UserInput, new_id } from "./app.shared.js";
import { createApp } from "./runtime/server.js";
import { t } from "./runtime/schema.js";

export function today(): string {
  return dayjs().format("YYYY-MM-DD");
}

export function validate(body: any): any {
  return UserInput.parse(body);
}

const app = createApp({ name: null, port: 3000, portEnv: "PORT" });
app.route("GET", "/id", new_id, []);
app.route("GET", "/today", today, []);
app.rpc("today", today, []);
app.rpc("validate", validate, [{ name: "body", schema: t.any }]);

await app.listen();
