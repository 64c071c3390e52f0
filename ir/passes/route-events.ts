import type { Diagnostic } from "../../diagnostics/types.js";
import type { EventRoute, NameInfo } from "../checked.js";
import type { PortedApp } from "../types.js";

export function routeEvents(app: PortedApp, names: NameInfo): { events: EventRoute[]; diagnostics: Diagnostic[] } {
  void app; void names;
  return { events: [], diagnostics: [] };
}
