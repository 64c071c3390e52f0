import { t } from "./runtime/schema.js";

export interface User {
  id: number;
  name: string;
  email: string;
}

export interface NewUser {
  name: string;
  email: string;
}

export const UserSchema = t.record<User>("User", { id: t.int, name: t.string, email: t.string });
export const NewUserSchema = t.record<NewUser>("NewUser", { name: t.string, email: t.string });
