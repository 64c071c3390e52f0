import type * as ast from "../frontend/ast.js";
import type { Span } from "../frontend/span.js";
import type { Breaker, Param, PortedApp, TypeExpr } from "./types.js";
import type { TypeInfo } from "./typing/checker.js";

/** What `resolve-names` established, keyed by the IR's own nodes. */
export interface NameInfo {
  /** `x = e` statements that assign to an enclosing `var` or client `state` instead of binding, with what they assign. */
  reassignments: Map<ast.LetStmt, SymbolRef>;
  /** `name.unit` on a name known to be numeric (`RETENTION_HOURS.hours`): the unit's factor. */
  durations: Map<ast.MemberExpr, number>;
  /** What each identifier refers to. */
  symbols: Map<ast.Ident, SymbolRef>;
}

export type SymbolKind =
  | "local" // a binding, parameter or loop variable inside a function
  | "var" // a mutable binding
  | "fn" // a function of the same block or the shared scope
  | "block-binding" // a top-level binding of a block
  | "model"
  | "env"
  | "peer"
  | "type" // a record or model type used as a value (constructor)
  | "variant"
  | "state"
  | "computed"
  | "component"
  | "source"
  | "import"
  | "builtin";

export interface SymbolRef {
  kind: SymbolKind;
  name: string;
  /** The server block that owns it, for cross-block references; undefined for shared and builtins. */
  owner?: string | null;
  span?: Span;
}

/** One `discover`, with everything a generated proxy needs (named-blocks.md, "How Discover Works"). */
export interface Proxy {
  /** The server block doing the discovering. */
  from: string | null;
  peer: string;
  /** The server block of this application it reaches, if any (an external service otherwise). */
  target: string | null;
  targetPort: number | null;
  /** Peer URL precedence (decisions.md, "Peer URLs"). */
  urlEnv: string;
  portEnv: string;
  url: string | null;
  health: string | null;
  breaker: Breaker;
  /** The peer's RPC functions, or null when the peer is outside the application. */
  functions: { name: string; params: Param[]; returnType: TypeExpr | null }[] | null;
  span: Span;
}

/** Who publishes and who receives each event (decisions.md, "Events"). */
export interface EventRoute {
  name: string;
  publishers: { server: string | null; span: Span }[];
  /** Server blocks with a `subscribe` for it. */
  subscribers: (string | null)[];
}

/** The infrastructure manifest of deploy-blocks.md section 2, for one deploy target. */
export interface Infrastructure {
  target: string;
  runtime: "bun";
  servers: { name: string | null; port: number; portEnv: string }[];
  databases: {
    sqlite: { files: string[] } | null;
    /**
     * On the web host itself (the single-host default), on a database host of
     * the user's (`host`, the deploy block's `db { postgres { host: ... } }`),
     * or external (`external`: several hosts and no database host, so
     * DATABASE_URL is a required secret). scale-out.md, "Several hosts".
     */
    postgres: { database: string; user: string; port: number; host?: string; external?: true } | null;
    redis: { maxmemory: string | null; host?: string; port?: number; external?: true } | null;
  };
  proxy: {
    domain: string;
    autoSsl: boolean;
    websockets: string[];
    sse: string[];
    staticClient: boolean;
    cors: boolean;
  };
  secrets: string[];
  dataFiles: string[];
  instances: number;
  memory: string;
  health: { path: string; intervalSeconds: number; timeoutSeconds: number };
}

export interface CheckedApp extends PortedApp {
  names: NameInfo;
  /** What Tova's type checker inferred (ir/typing/). */
  types: TypeInfo;
  proxies: Proxy[];
  events: EventRoute[];
  infrastructure: Infrastructure[];
}
