// The client's address (`req.ip`) and which proxies may tell it
// (security.md, "trust_proxy").
//
// Rules:
// - Without trust, `req.ip` is the socket's address and `X-Forwarded-For` is
//   never read: any client can write that header.
// - With trust, the header is read only when the socket's peer is itself a
//   trusted proxy; the client is then the right-most address of the header
//   that is not trusted (every trusted hop appends the address it saw, so
//   entries left of the first untrusted one may be forged).
// - `trust_proxy true` trusts loopback and the private ranges (10/8,
//   172.16/12, 192.168/16, fc00::/7, fe80::/10): the places a reverse proxy
//   of one's own sits. A list trusts exactly its addresses or CIDR ranges
//   (and the words `loopback`, `private`).
// - `TOVA_TRUSTED_PROXIES` (same forms, comma-separated) is added to either: the
//   deploy backend sets `TOVA_TRUSTED_PROXIES=127.0.0.1,::1` because the app sits
//   behind its Caddy on the same machine ("A deployed app behind its Caddy
//   trusts the loopback proxy without being told").
import { nodeNet } from "../builtins.js";

const isIP = (address: string) => nodeNet().isIP(address);

/** A set of trusted proxy addresses. */
export interface Trust {
  has(address: string): boolean;
}

const LOOPBACK: readonly [string, number][] = [
  ["127.0.0.0", 8],
  ["::1", 128],
];
const PRIVATE: readonly [string, number][] = [
  ["10.0.0.0", 8],
  ["172.16.0.0", 12],
  ["192.168.0.0", 16],
  ["fc00::", 7],
  ["fe80::", 10],
];

/** `::ffff:10.0.0.1` (an IPv4 peer of a dual-stack socket) is `10.0.0.1`. */
function unmapped(address: string): string {
  return address.length > 7 && address.charCodeAt(0) === 58 && /^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(address) ? address.slice(7) : address;
}

/**
 * The trusted proxies of `trust_proxy` (the block's value) together with
 * `TOVA_TRUSTED_PROXIES`; null when nothing is trusted. A malformed entry stops
 * the start: a typo must not quietly trust nobody (or everybody).
 */
export function trustOf(config: boolean | readonly string[] | undefined | null, env: string | undefined = process.env["TOVA_TRUSTED_PROXIES"]): Trust | null {
  const entries: string[] = [];
  if (config === true) entries.push("loopback", "private");
  else if (Array.isArray(config)) entries.push(...config);
  if (env !== undefined && env.trim() !== "") entries.push(...env.split(","));
  if (entries.length === 0) return null;
  const list = new (nodeNet().BlockList)();
  const addRange = (address: string, prefix: number) => list.addSubnet(address, prefix, isIP(address) === 6 ? "ipv6" : "ipv4");
  for (const raw of entries) {
    const entry = raw.trim();
    if (entry === "loopback") LOOPBACK.forEach(([a, p]) => addRange(a, p));
    else if (entry === "private") PRIVATE.forEach(([a, p]) => addRange(a, p));
    else {
      const [address = "", prefix, extra] = entry.split("/");
      const family = isIP(address);
      const bits = prefix === undefined ? (family === 6 ? 128 : 32) : /^\d{1,3}$/.test(prefix) ? Number(prefix) : -1;
      if (family === 0 || extra !== undefined || bits < 0 || bits > (family === 6 ? 128 : 32)) {
        throw new Error(`trust_proxy: ${JSON.stringify(entry)} is not an IP address or CIDR range`);
      }
      addRange(address, bits);
    }
  }
  return {
    has(address: string): boolean {
      const a = unmapped(address);
      const family = isIP(a);
      return family !== 0 && list.check(a, family === 6 ? "ipv6" : "ipv4");
    },
  };
}

/** One `X-Forwarded-For` entry as an address: `1.2.3.4:567` and `[::1]:80` lose their port; null if it is no address. */
function addressOf(entry: string): string | null {
  let a = entry.trim();
  if (a.startsWith("[")) a = a.slice(1, a.indexOf("]") === -1 ? a.length : a.indexOf("]"));
  else if (a.indexOf(":") !== -1 && a.indexOf(":") === a.lastIndexOf(":")) a = a.slice(0, a.indexOf(":"));
  return isIP(a) === 0 ? null : a;
}

interface SocketInfo {
  requestIP?(req: Request): { address: string } | null;
}

/** The socket peer's address ("" when Bun cannot tell, e.g. a Request built in code). */
export function socketAddress(raw: Request, server: unknown): string {
  return (server as SocketInfo | undefined)?.requestIP?.(raw)?.address ?? "";
}

/** The client's address under `trust` (see the rules above). */
export function clientIp(raw: Request, server: unknown, trust: Trust | null): string {
  const socket = socketAddress(raw, server);
  if (trust === null || !trust.has(socket)) return socket;
  const forwarded = raw.headers.get("x-forwarded-for");
  if (forwarded === null) return socket;
  const hops = forwarded.split(",");
  let client = socket;
  for (let i = hops.length - 1; i >= 0; i--) {
    const address = addressOf(hops[i]!);
    if (address === null) break; // a proxy we trust wrote no address: keep the last hop we know
    client = address;
    if (!trust.has(address)) break;
  }
  return client;
}

// The process's trust, for `req.ip` of requests no layer looked at: the
// security block's `trust_proxy` once `App.layers()` ran, else the
// environment alone (a deployed app without a security block).
let processTrust: Trust | null | undefined;

/** Sets the trust `req.ip` uses (the security block's `trust_proxy`, with the environment). */
export function setProcessTrust(trust: Trust | null): void {
  processTrust = trust;
}

/** `req.ip`: the client's address under the process's trust. */
export function clientAddress(raw: Request, server: unknown): string {
  if (processTrust === undefined) processTrust = trustOf(undefined);
  return clientIp(raw, server, processTrust);
}

/**
 * Whether the client's request came over HTTPS: the URL says so, or a trusted proxy in front (the deploy's
 * Caddy, `trust_proxy`) says so in `X-Forwarded-Proto`. A client's own header is not believed.
 */
export function cameOverHttps(raw: Request, server: unknown): boolean {
  if (raw.url.startsWith("https:")) return true;
  if (processTrust === undefined) processTrust = trustOf(undefined);
  if (processTrust === null || !processTrust.has(socketAddress(raw, server))) return false;
  const proto = raw.headers.get("x-forwarded-proto");
  return proto !== null && proto.split(",")[0]!.trim().toLowerCase() === "https";
}
