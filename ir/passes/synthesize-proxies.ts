import type { Diagnostic } from "../../diagnostics/types.js";
import type { NameInfo, Proxy } from "../checked.js";
import type { PortedApp } from "../types.js";

export function synthesizeProxies(app: PortedApp, names: NameInfo): { proxies: Proxy[]; diagnostics: Diagnostic[] } {
  void app; void names;
  return { proxies: [], diagnostics: [] };
}
