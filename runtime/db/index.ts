// Models on SQLite (runtime/README.md "db"; decisions.md "Models").
export * from "./types.js";
export * from "./connection.js";
export * from "./model.js";
