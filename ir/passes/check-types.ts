import type { Diagnostic } from "../../diagnostics/types.js";
import type { NameInfo, Proxy } from "../checked.js";
import type { PortedApp } from "../types.js";

export function checkTypes(app: PortedApp, names: NameInfo, proxies: Proxy[]): { diagnostics: Diagnostic[] } {
  void app; void names; void proxies;
  return { diagnostics: [] };
}
