import { t } from "./runtime/schema.js";

export interface Signup {
  email: string;
  plan: string;
}

export const SignupSchema = t.record<Signup>("Signup", { email: t.string, plan: t.string });
