// The client runtime (runtime/README.md "client"; client.md): signals, the
// DOM builder JSX compiles to, and the RPC client behind `server.f(...)`.
export * from "./signals.js";
export * from "./dom.js";
export * from "./rpc.js";
