import { t } from "./runtime/schema.js";
import { map, matchFailed, sum } from "./runtime/stdlib.js";

export type Shape =
  { tag: "Circle"; radius: number } | { tag: "Rect"; w: number; h: number } | { tag: "Dot" };
export function Circle(radius: number): Shape {
  return { tag: "Circle", radius };
}
export function Rect(w: number, h: number): Shape {
  return { tag: "Rect", w, h };
}
export const Dot: Shape = { tag: "Dot" };

export const ShapeSchema = t.union("Shape", {
  Circle: { radius: t.float },
  Rect: { w: t.float, h: t.float },
  Dot: {},
});

export const shapes = [Circle(2), Rect(3, 4), Dot];
export const total_area = sum(map(shapes, area));

export function area(s: Shape): number {
  if (s.tag === "Circle") {
    return 3.14159 * s.radius * s.radius;
  } else if (s.tag === "Rect") {
    return s.w * s.h;
  } else {
    return 0;
  }
}

export function describe(s: Shape): string {
  if (s.tag === "Circle" && s.radius > 10) {
    return "big circle";
  } else if (s.tag === "Circle") {
    return "circle";
  } else if (s.tag === "Rect" && s.w === s.h) {
    return `square of side ${s.w}`;
  } else if (s.tag === "Rect") {
    return "rectangle";
  } else if (s.tag === "Dot") {
    return "dot";
  } else {
    return matchFailed(s);
  }
}
