import { createApp, loadSource, refreshEvery } from "./runtime/server.js";
import { map, read, sum } from "./runtime/stdlib.js";

let sales = await loadSource("sales", () => read("sales.csv"));

// `sales` reloaded; assigned only once all succeed
function refresh_sales(): void {
  const sales2 = read("sales.csv");
  sales = sales2;
}
refreshEvery("sales", 600_000 /* 10.minutes */, refresh_sales);

export function total_sales(): number {
  return sum(map(sales, (it: any) => it.amount));
}

const app = createApp({ name: null, port: 3000, portEnv: "PORT" });
app.route("GET", "/sales/total", total_sales, []);
app.rpc("total_sales", total_sales, []);

await app.listen();
