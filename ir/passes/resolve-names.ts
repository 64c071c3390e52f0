import type { Diagnostic } from "../../diagnostics/types.js";
import type { NameInfo } from "../checked.js";
import type { PortedApp } from "../types.js";

export function resolveNames(app: PortedApp): { names: NameInfo; diagnostics: Diagnostic[] } {
  void app;
  return { names: { reassignments: new Set(), durations: new Map(), symbols: new Map() }, diagnostics: [] };
}
