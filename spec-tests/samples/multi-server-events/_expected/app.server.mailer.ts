import { createApp } from "./runtime/server.js";
import { type Signup } from "./app.shared.js";
import { print } from "./runtime/stdlib.js";

let welcomed = 0;

const app = createApp({ name: "mailer", port: 3001, portEnv: "PORT_MAILER" });
app.subscribe("user_signed_up", (s: Signup) => {
  welcomed += 1;
  print(`welcome mail to ${s.email} (${s.plan})`);
});

await app.listen();
