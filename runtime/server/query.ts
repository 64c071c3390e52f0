// The query string, parsed by hand: URLSearchParams costs more than the rest
// of a small request's binding. Same rules (application/x-www-form-urlencoded):
// `&` separates pairs, `+` is a space, %XX is decoded (malformed escapes stay
// as they are).

/** Values by name, in order; a name without `=` has the value "". */
export type Query = Map<string, string[]>;

function decode(text: string): string {
  if (text.indexOf("+") !== -1) text = text.replaceAll("+", " ");
  if (text.indexOf("%") === -1) return text;
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Parses `a=1&b=2&a=3` (without the `?`). */
export function parseQuery(text: string): Query {
  const query: Query = new Map();
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf("&", start);
    if (end === -1) end = text.length;
    if (end > start) {
      const eq = text.indexOf("=", start);
      const hasValue = eq !== -1 && eq < end;
      const name = decode(text.slice(start, hasValue ? eq : end));
      const value = hasValue ? decode(text.slice(eq + 1, end)) : "";
      const values = query.get(name);
      if (values) values.push(value);
      else query.set(name, [value]);
    }
    start = end + 1;
  }
  return query;
}
