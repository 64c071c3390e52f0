import { OrderSchema, type Order } from "./app.shared.js";
import { createApp, publish } from "./runtime/server.js";
import { Date, fmt, print } from "./runtime/stdlib.js";
import { t } from "./runtime/schema.js";

let shipped = 0;

export function place_order(id: number, total: number): Order {
  const order = { id, total } satisfies Order;
  publish("order_placed", order);
  return order;
}

export function ship(order_id: number) {
  publish("order_shipped", { order_id, at: Date.now() });
  return { ok: true };
}

const app = createApp({ name: null, port: 3000, portEnv: "PORT" });
app.route("POST", "/orders", place_order, [
  { name: "id", schema: t.int },
  { name: "total", schema: t.float },
]);
app.route("POST", "/orders/:order_id/ship", ship, [{ name: "order_id", schema: t.int }]);
app.rpc("place_order", place_order, [
  { name: "id", schema: t.int },
  { name: "total", schema: t.float },
]);
app.rpc("ship", ship, [{ name: "order_id", schema: t.int }]);
app.subscribe(
  "order_placed",
  (order: Order) => {
    print(`order ${order.id} placed: ${order.total}`);
  },
  OrderSchema,
);
app.subscribe("order_shipped", (data: any) => {
  shipped += 1;
  print(fmt`order ${data.order_id} shipped at ${data.at}`);
});
app.events({ order_placed: [null], order_shipped: [null] });

await app.listen();
