import { createApp } from "./runtime/server.js";
import { health } from "./app.shared.js";

const app = createApp({ name: null, port: 3000, portEnv: "PORT" });
app.route("GET", "/health", health, []);

await app.listen();
