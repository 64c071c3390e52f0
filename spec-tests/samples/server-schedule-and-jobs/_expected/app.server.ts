import { createApp, loadEnv, spawn_job } from "./runtime/server.js";
import { t } from "./runtime/schema.js";
import { Date, JSON, fetch, fmt, print } from "./runtime/stdlib.js";

const { MAIL_URL } = loadEnv({ MAIL_URL: { type: t.string, default: "https://mail.example.com/send" } });

let sent = 0;

export async function send_email(to: string, subject: string) {
  await fetch(MAIL_URL, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ to, subject }),
  });
  sent += 1;
}

export function request_welcome(email: string) {
  spawn_job(send_email, email, "Welcome!");
  return { queued: true };
}

const app = createApp({ name: null, port: 3000, portEnv: "PORT" });
app.route("POST", "/welcome", request_welcome, [{ name: "email", schema: t.string }]);
app.rpc("request_welcome", request_welcome, [{ name: "email", schema: t.string }]);
app.job("send_email", send_email);
app.schedule("*/5 * * * *", "cleanup", () => {
  print(`[cleanup] sent so far: ${sent}`);
});
app.schedule("*/30 * * * * *", null, () => {
  print(fmt`[heartbeat] ${Date.now()}`);
});
app.schedule("0 * * * *", "report", () => {
  print(`[report] hourly: ${sent} emails`);
});

await app.listen();
