import { broadcast, createApp } from "./runtime/server.js";
import { t } from "./runtime/schema.js";
import { Date, print } from "./runtime/stdlib.js";

let online = 0;

export function announce(text: string) {
  broadcast("announcement", { text });
}

const app = createApp({ name: null, port: 3000, portEnv: "PORT" });
app.route("POST", "/announce", announce, [{ name: "text", schema: t.string }]);
app.rpc("announce", announce, [{ name: "text", schema: t.string }]);
app.websocket("/ws", {
  on_open: (socket: any) => {
    online += 1;
    print(`connected (${online} online)`);
  },
  on_message: (socket: any, msg: any) => {
    broadcast("chat", msg);
  },
  on_close: (socket: any) => {
    online -= 1;
  },
});
app.websocket("/echo", {
  on_message: (socket: any, msg: any) => {
    socket.send(msg);
  },
});
app.sse("/events", (send: any, close: any) => {
  send("hello", { online, at: Date.now() });
  close();
});

await app.listen();
