import { map, read, setInterval, sum } from "./runtime/stdlib.js";
import { createApp } from "./runtime/server.js";

let sales = read("sales.csv");
setInterval(() => {
  sales = read("sales.csv");
}, 600_000 /* 10.minutes */);

export function total_sales(): number {
  return sum(map(sales, (it: any) => it.amount));
}

const app = createApp({ name: null, port: 3000, portEnv: "PORT" });
app.route("GET", "/sales/total", total_sales, []);
app.rpc("total_sales", total_sales, []);

await app.listen();
