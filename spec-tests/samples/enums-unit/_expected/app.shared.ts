import { t } from "./runtime/schema.js";
import { matchFailed, print } from "./runtime/stdlib.js";

export type Severity = "Info" | "Warning" | "Critical";

export const SeveritySchema = t.enum("Severity", ["Info", "Warning", "Critical"] as const);

export const default_severity = "Info";

export function label(s: Severity): string {
  switch (s) {
    case "Info": {
      return "info";
    }
    case "Warning": {
      return "warning";
    }
    case "Critical": {
      return "critical";
    }
    default: {
      return matchFailed(s);
    }
  }
}

export function notify(s: Severity) {
  switch (s) {
    case "Critical": {
      print("page the on-call engineer");
      break;
    }
    default: {
      print("log only");
      break;
    }
  }
}

export function escalate(s: Severity): Severity {
  switch (s) {
    case "Info": {
      return "Warning";
    }
    default: {
      return "Critical";
    }
  }
}

export function is_urgent(s: Severity): boolean {
  return s === "Critical";
}
