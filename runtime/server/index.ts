// The server a server block compiles to (runtime/README.md "server"):
// `createApp`, the `req`/`res` types, and `loadEnv`.
export * from "./types.js";
export * from "./app.js";
export * from "./env.js";
export * from "./free-functions.js";
export * from "./auth-functions.js";
export * from "./uploads/index.js";
export * from "./data-sources.js";
