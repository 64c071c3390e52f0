import {
  CategorySchema,
  ProductSchema,
  format_price,
  with_tax,
  type Category,
  type Product,
} from "./app.shared.js";
import { Ok, filter, find, isFailure, ok_or, unwrap, type Result } from "./runtime/stdlib.js";
import { createApp } from "./runtime/server.js";
import { t } from "./runtime/schema.js";

let catalog: Product[] = [
  { id: 1, name: "Dune", price: 9.99, category: "Books" } satisfies Product,
  { id: 2, name: "Chess", price: 19.5, category: "Games" } satisfies Product,
];

export function list_products(category: Category | null = null): Product[] {
  if (category != null) {
    return filter(catalog, (p: any) => p.category === category);
  } else {
    return catalog;
  }
}

export function price_label(id: number): Result<string, string> {
  const productResult = ok_or(
    find(catalog, (p: any) => p.id === id),
    `no product ${id}`,
  );
  if (isFailure(productResult)) return productResult;
  const product = unwrap(productResult);
  return Ok(format_price(with_tax(product.price)));
}

export function add_product(product: Product): Product {
  catalog = [...catalog, product];
  return product;
}

const app = createApp({ name: null, port: 3000, portEnv: "PORT" });
app.route("GET", "/products", list_products, [{ name: "category", schema: t.option(CategorySchema) }]);
app.route("GET", "/products/:id/price", price_label, [{ name: "id", schema: t.int }]);
app.route("POST", "/products", add_product, [{ name: "product", schema: ProductSchema, wholeBody: true }]);
app.rpc("list_products", list_products, [{ name: "category", schema: t.option(CategorySchema) }]);
app.rpc("price_label", price_label, [{ name: "id", schema: t.int }]);
app.rpc("add_product", add_product, [{ name: "product", schema: ProductSchema }]);

await app.listen();
