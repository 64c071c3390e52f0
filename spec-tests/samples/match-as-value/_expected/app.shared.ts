import { t } from "./runtime/schema.js";
import { isArray, len, map, matchFailed, print, upper } from "./runtime/stdlib.js";

export type Shape = { tag: "Circle"; radius: number } | { tag: "Square"; side: number };
export function Circle(radius: number): Shape {
  return { tag: "Circle", radius };
}
export function Square(side: number): Shape {
  return { tag: "Square", side };
}

export const ShapeSchema = t.union("Shape", { Circle: { radius: t.float }, Square: { side: t.float } });

export function summary(count: number) {
  return { kind: count === 0 ? "none" : count === 1 ? "one" : "many", count };
}

export function describe(s: Shape): string {
  let text: string;
  if (s.tag === "Circle") {
    text = `circle ${s.radius}`;
  } else {
    print("squares are boxy");
    text = `square ${s.side}`;
  }
  return upper(text);
}

export function score(latest: number | null, limit: number): string {
  if (latest != null && latest < limit) {
    return "healthy";
  } else if (latest != null) {
    return "degraded";
  } else if (latest == null) {
    return "unknown";
  } else {
    return matchFailed(latest);
  }
}

export function or_zero(x: number | null = null): number {
  let v: number;
  if (x != null) {
    v = x;
  } else {
    return 0;
  }
  return v + 1;
}

export function sizes(groups: number[][]): number[] {
  return map(groups, (g: any) =>
    isArray(g) && g.length === 0 ? 0 : isArray(g) && g.length >= 1 ? len(g.slice(1)) + 1 : matchFailed(g),
  );
}
