import { t } from "./runtime/schema.js";

export interface Order {
  id: number;
  total: number;
}

export const OrderSchema = t.record<Order>("Order", { id: t.int, total: t.float });
