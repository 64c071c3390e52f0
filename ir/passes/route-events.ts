import type { Diagnostic } from "../../diagnostics/types.js";
import { diagnostic, suggestion } from "../../diagnostics/catalog.js";
import type { EventRoute, NameInfo } from "../checked.js";
import type { PortedApp } from "../types.js";
import { walkApp } from "../walk.js";

/**
 * Which servers receive each event (decisions.md, "Events"): every server
 * block with a `subscribe` for the name, the publisher's own included.
 * `publish("name", data)` and `emit "name" { }` (lowered to `publish`) with a
 * literal name are routed at compile time; publishing a name that nobody
 * subscribes to is a warning.
 */
export function routeEvents(app: PortedApp, names: NameInfo): { events: EventRoute[]; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const routes = new Map<string, EventRoute>();
  const route = (name: string) => {
    let r = routes.get(name);
    if (!r) {
      r = { name, publishers: [], subscribers: [] };
      routes.set(name, r);
    }
    return r;
  };
  for (const s of app.servers) {
    for (const sub of s.subscriptions) {
      const r = route(sub.event);
      if (!r.subscribers.includes(s.name)) r.subscribers.push(s.name);
    }
  }
  const subscribed = new Set(routes.keys());
  walkApp(app, (e, owner) => {
    if (owner.kind !== "server" || e.kind !== "Call" || e.callee.kind !== "Ident" || e.callee.name !== "publish") return;
    if (names.symbols.get(e.callee)?.kind !== "builtin") return;
    const first = e.args[0]?.value;
    if (!first || first.kind !== "Str") return;
    route(first.value).publishers.push({ server: owner.name, span: first.span });
    if (!subscribed.has(first.value)) {
      const near = suggestion(first.value, subscribed);
      diagnostics.push(
        diagnostic("W0001", first.span, `nobody subscribes to event "${first.value}"`, {
          hint: near.hint ?? `add \`subscribe "${first.value}" fn(data) { ... }\` to the server that should react`,
        }),
      );
    }
  });
  return { events: [...routes.values()].sort((a, b) => (a.name < b.name ? -1 : 1)), diagnostics };
}
