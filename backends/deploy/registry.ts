/**
 * `registry.json` (deploy-blocks.md, section 5): every app on one server, its
 * ports, domain, instances and live version. Pure functions over the parsed
 * file; `tova deploy` reads it, changes it here and writes it back while it
 * holds the server's deploy lock, so two deploys never claim the same port.
 */
export const FIRST_PORT = 3000;

export interface RegistryApp {
  ports: number[];
  domain: string;
  instances: number;
  version: string | null;
  /** The ports of each server block ("default" for the unnamed one). */
  servers?: Record<string, number[]>;
  /** Its systemd instances (`tova-myapp@3000.service`), for --list, --status and --remove. */
  units?: string[];
  deployed_at?: string;
}

export interface Registry {
  apps: Record<string, RegistryApp>;
  next_port: number;
  /** Where this server's app ports start (3000 unless an administrator set another). */
  first_port?: number;
}

export function emptyRegistry(): Registry {
  return { apps: {}, next_port: FIRST_PORT };
}

/** Parses `registry.json`; an empty or missing file is an empty registry, anything else malformed is an error. */
export function parseRegistry(text: string): Registry {
  if (text.trim() === "") return emptyRegistry();
  const raw = JSON.parse(text) as Partial<Registry>;
  if (typeof raw !== "object" || raw === null || typeof raw.apps !== "object" || raw.apps === null) throw new Error("registry.json has no \"apps\" object");
  const apps: Record<string, RegistryApp> = {};
  for (const [name, app] of Object.entries(raw.apps)) {
    if (!Array.isArray(app.ports) || !app.ports.every((p) => Number.isInteger(p))) throw new Error(`registry.json: the ports of "${name}" are not a list of numbers`);
    apps[name] = app;
  }
  const used = Object.values(apps).flatMap((a) => a.ports);
  const first = raw.first_port;
  if (first !== undefined && (!Number.isInteger(first) || first < 1 || first > 65535)) throw new Error("registry.json: first_port is not a port number");
  const next = typeof raw.next_port === "number" ? raw.next_port : (first ?? FIRST_PORT);
  return { apps, next_port: Math.max(next, ...used.map((p) => p + 1)), ...(first !== undefined ? { first_port: first } : {}) };
}

export function renderRegistry(r: Registry): string {
  const apps = Object.fromEntries(Object.entries(r.apps).sort(([a], [b]) => (a < b ? -1 : 1)));
  return JSON.stringify({ apps, next_port: r.next_port, ...(r.first_port !== undefined ? { first_port: r.first_port } : {}) }, null, 2) + "\n";
}

/**
 * The `count` ports of `app`: the ones it already holds, in order (ports are
 * stable across redeploys), then, when it needs more, ports no other app
 * holds, lowest first from `first_port`: those freed by removed apps, then
 * `next_port` and beyond. An app that needs fewer keeps its first ones and frees the rest.
 */
export function claimPorts(r: Registry, app: string, count: number): number[] {
  const own = r.apps[app]?.ports ?? [];
  if (own.length >= count) return own.slice(0, count);
  const taken = new Set(Object.entries(r.apps).flatMap(([name, a]) => (name === app ? [] : a.ports)));
  for (const p of own) taken.add(p);
  const ports = [...own];
  for (let p = r.first_port ?? FIRST_PORT; ports.length < count; p++) if (!taken.has(p)) ports.push(p);
  return ports;
}

/** The registry with `app`'s entry set; `next_port` stays past every claimed port. */
export function withApp(r: Registry, app: string, entry: RegistryApp): Registry {
  const apps = { ...r.apps, [app]: entry };
  return { ...r, apps, next_port: Math.max(r.next_port, ...entry.ports.map((p) => p + 1)) };
}

/** The registry without `app`: its ports are free for the next app that needs them. */
export function withoutApp(r: Registry, app: string): Registry {
  const apps = { ...r.apps };
  delete apps[app];
  return { ...r, apps };
}
