import { createApp } from "./runtime/server.js";
import { SignupSchema, type Signup } from "./app.shared.js";
import { print } from "./runtime/stdlib.js";

let welcomed = 0;

const app = createApp({ name: "mailer", port: 3001, portEnv: "PORT_MAILER" });
app.subscribe(
  "user_signed_up",
  (s: Signup) => {
    welcomed += 1;
    print(`welcome mail to ${s.email} (${s.plan})`);
  },
  SignupSchema,
);

await app.listen();
