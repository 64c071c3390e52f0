// Models on SQLite and PostgreSQL (runtime/README.md "db"; decisions.md "Models").
export * from "./types.js";
export * from "./sqlite.js";
export * from "./postgres.js";
export * from "./model.js";
