import { t } from "./runtime/schema.js";
import { Some } from "./runtime/stdlib.js";

export interface User {
  id: number;
  name: string;
  email: string;
}

export interface Point {
  x: number;
  y: number;
}

export interface Team {
  name: string;
  members: User[];
  lead: User | null;
  scores: Record<string, number>;
}

export const UserSchema = t.record<User>("User", { id: t.int, name: t.string, email: t.string });
export const PointSchema = t.record<Point>("Point", { x: t.float, y: t.float });
export const TeamSchema = t.record<Team>("Team", {
  name: t.string,
  members: t.array(UserSchema),
  lead: t.option(UserSchema),
  scores: t.map(t.int),
});

export const admin = { id: 1, name: "admin", email: "admin@example.com" } satisfies User;

export function make_user(id: number, name: string): User {
  return { id, name, email: `${name}@example.com` } satisfies User;
}

export function origin(): Point {
  return { x: 0, y: 0 } satisfies Point;
}

export function move_right(p: Point, dx: number): Point {
  return { x: p.x + dx, y: p.y } satisfies Point;
}

export function solo_team(user: User): Team {
  return { name: `${user.name}'s team`, members: [user], lead: Some(user), scores: {} } satisfies Team;
}
