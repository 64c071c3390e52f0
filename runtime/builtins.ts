/**
 * Node built-ins that only some programs use (signing between servers,
 * sessions, API keys, JWTs, uploads, TLS, trusted proxies, Redis event
 * streams), loaded when first used rather than when the server starts.
 * Measured on Bun 1.4 (issue 15): importing `node:crypto` and `node:net` was
 * 10 ms of the 19 ms the runtime's built-ins took to load, on every start of
 * every server, most of which use neither.
 */
let crypto: typeof import("node:crypto") | undefined;
let net: typeof import("node:net") | undefined;
export const nodeCrypto = () => (crypto ??= process.getBuiltinModule("node:crypto"));
export const nodeNet = () => (net ??= process.getBuiltinModule("node:net"));
