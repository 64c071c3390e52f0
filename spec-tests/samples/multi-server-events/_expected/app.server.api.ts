import { type Signup } from "./app.shared.js";
import { createApp, publish } from "./runtime/server.js";
import { t } from "./runtime/schema.js";
import { fmt, print } from "./runtime/stdlib.js";

export function signup(email: string, plan: string): Signup {
  const signup2 = { email, plan } satisfies Signup;
  publish("user_signed_up", signup2);
  publish("audit", { action: "signup", email });
  return signup2;
}

const app = createApp({ name: "api", port: 3000, portEnv: "PORT_API" });
app.route("POST", "/signup", signup, [
  { name: "email", schema: t.string },
  { name: "plan", schema: t.string },
]);
app.rpc("signup", signup, [
  { name: "email", schema: t.string },
  { name: "plan", schema: t.string },
]);
app.subscribe("audit", (entry: any) => {
  print(fmt`[api] audit ${entry.action}`);
});
app.events({ audit: ["api"], user_signed_up: ["mailer"] });

await app.listen();
