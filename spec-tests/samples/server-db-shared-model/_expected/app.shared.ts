import { t } from "./runtime/schema.js";

export interface User {
  name: string;
  email: string;
  active: boolean;
}

export const UserSchema = t.record<User>("User", { name: t.string, email: t.string, active: t.bool });
