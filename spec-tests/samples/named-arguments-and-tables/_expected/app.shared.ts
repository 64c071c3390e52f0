import { drop_nil, each, map, read, stream, where, write } from "./runtime/stdlib.js";

export async function clean_export() {
  return await each(stream("huge_file.csv", { batch: 10_000 }), (batch: any) => {
    const cleaned = where(
      drop_nil(batch, (it: any) => it.id),
      (it: any) => it.active === true,
    );
    return write(cleaned, "output.csv", { append: true });
  });
}

export function active_users() {
  const rows = read("users.json");
  return map(
    where(rows, (r: any) => r.active),
    (it: any) => it.name,
  );
}

export function snapshot(rows: any) {
  return write(rows, "snapshot.csv", { append: false });
}
