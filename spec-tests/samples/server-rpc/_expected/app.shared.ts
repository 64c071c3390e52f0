import { t } from "./runtime/schema.js";

export interface Todo {
  id: number;
  title: string;
  done: boolean;
}

export const TodoSchema = t.record<Todo>("Todo", { id: t.int, title: t.string, done: t.bool });
