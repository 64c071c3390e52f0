import { t } from "./runtime/schema.js";

export type Category = "Books" | "Games" | "Music";

export interface Product {
  id: number;
  name: string;
  price: number;
  category: Category;
}

export const CategorySchema = t.enum("Category", ["Books", "Games", "Music"] as const);
export const ProductSchema = t.record<Product>("Product", {
  id: t.int,
  name: t.string,
  price: t.float,
  category: CategorySchema,
});

export const tax_rate: number = 0.2;

export function format_price(amount: number): string {
  return `$${amount}`;
}

export function with_tax(amount: number): number {
  return amount * (1 + tax_rate);
}
