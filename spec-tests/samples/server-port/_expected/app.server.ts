import { createApp } from "./runtime/server.js";

export function home() {
  return { server: "main" };
}

const app = createApp({ name: null, port: 8080, portEnv: "PORT" });
app.route("GET", "/", home, []);
app.rpc("home", home, []);

await app.listen();
