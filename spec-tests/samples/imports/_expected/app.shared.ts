import dayjs from "dayjs";
import { z } from "zod";
import { nanoid as make_id } from "nanoid";

export const UserInput = z.object({ name: z.string() });

export function new_id(): string {
  return make_id();
}

export function format_date(ts: number): string {
  return dayjs(ts).format("YYYY-MM-DD");
}
