import type { Diagnostic } from "../../diagnostics/types.js";
import type { Infrastructure, NameInfo } from "../checked.js";
import type { PortedApp } from "../types.js";

export function inferInfrastructure(app: PortedApp, names: NameInfo): { infrastructure: Infrastructure[]; diagnostics: Diagnostic[] } {
  void app; void names;
  return { infrastructure: [], diagnostics: [] };
}
