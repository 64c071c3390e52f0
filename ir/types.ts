import type * as ast from "../frontend/ast.js";
import type { Span } from "../frontend/span.js";

/**
 * The whole-application IR. Declarations are typed records, independent of
 * the syntax they came from (a `discover` written four ways is one `Peer`).
 * Function bodies keep the AST's expression and statement nodes after
 * desugaring (`lower.ts`): no `Pipe`, no `ImplicitMember`, no named
 * arguments, no `Emit`, and durations on literals folded to numbers.
 * Every node keeps the span of the source it came from.
 */

export type Expr = ast.Expr;
export type Stmt = ast.Stmt;
export type TypeExpr = ast.TypeExpr;
export type Block = ast.BlockExpr;
export type Lambda = ast.LambdaExpr;

export interface Param {
  name: string;
  type: TypeExpr | null;
  default: Expr | null;
  /** `Option<T>` parameters may be absent (decisions.md, "Routes and RPC"). */
  optional: boolean;
  span: Span;
}

export type FnKind = "fn" | "background" | "middleware";

export interface Fn {
  name: string;
  kind: FnKind;
  async: boolean;
  typeParams: string[];
  params: Param[];
  returnType: TypeExpr | null;
  body: Block;
  span: Span;
  nameSpan: Span;
}

export interface Binding {
  name: string;
  mutable: boolean;
  type: TypeExpr | null;
  value: Expr;
  /** Literals, arrays and objects of literals: usable from other server blocks (decisions.md). */
  plainData: boolean;
  span: Span;
  nameSpan: Span;
}

export interface Field {
  name: string;
  type: TypeExpr;
  span: Span;
}

export type TypeDef =
  | { kind: "record"; fields: Field[] }
  | { kind: "enum"; variants: { name: string; fields: Field[]; span: Span }[] }
  | { kind: "alias"; type: TypeExpr };

export interface TypeDecl {
  name: string;
  typeParams: string[];
  def: TypeDef;
  span: Span;
  nameSpan: Span;
}

export interface Route {
  method: string;
  path: string;
  /** `:id` segments of the path, in order. */
  pathParams: string[];
  handler: Expr;
  /** The handler's name when it is a plain reference to a function. */
  handlerName: string | null;
  span: Span;
  pathSpan: Span;
}

export interface Model {
  /** The accessor: `MetricRecord`, or `UserModel` for `model User` without a body. */
  accessor: string;
  /** The type the rows have: the model's name. */
  typeName: string;
  table: string;
  /** null until resolved when the fields come from the shared type. */
  fields: Field[] | null;
  fromSharedType: boolean;
  span: Span;
  nameSpan: Span;
}

export type DbAdapter = "sqlite" | "postgres" | "redis";

export interface Db {
  adapter: DbAdapter;
  /** SQLite file (from `database:` or `path:`). */
  path: string | null;
  url: Expr | null;
  pool: number | null;
  span: Span;
}

export interface EnvVar {
  name: string;
  type: TypeExpr;
  default: Expr | null;
  span: Span;
  nameSpan: Span;
}

export interface Breaker {
  threshold: number;
  resetTimeoutMs: number;
  timeoutMs: number;
  halfOpenRequests: number;
}

export const DEFAULT_BREAKER: Breaker = { threshold: 5, resetTimeoutMs: 30_000, timeoutMs: 10_000, halfOpenRequests: 1 };

export interface Peer {
  name: string;
  /** The `at` / `url:` value when it is a literal. */
  url: string | null;
  urlExpr: Expr | null;
  health: string | null;
  breaker: Breaker;
  span: Span;
  nameSpan: Span;
}

export interface Schedule {
  name: string | null;
  cron: string;
  body: Block;
  span: Span;
  cronSpan: Span;
}

export interface Subscription {
  event: string;
  handler: Lambda;
  span: Span;
  eventSpan: Span;
}

export interface Hook {
  hook: "on_start" | "on_stop" | "on_error";
  handler: Lambda;
  span: Span;
}

export interface WebSocketHandler {
  path: string;
  handlers: { name: string; handler: Lambda; span: Span }[];
  span: Span;
}

export interface SseHandler {
  path: string;
  handler: Lambda;
  span: Span;
}

/** `cors`, `rate_limit`, `tls`, `sessions`, `cache`, `static`, `uploads`: evaluated at start-up. */
export interface ServerConfig {
  name: ast.ConfigStmtName;
  values: ConfigValue;
  /** The entries as written, for the checks of security.md (ir/passes/check-security.ts). */
  entries: ast.ConfigEntry[];
  span: Span;
}

/** A configuration body as a tree of expressions. */
export interface ConfigValue {
  [key: string]: { value: Expr | null; nested: ConfigValue | null; label: string | null; span: Span };
}

export interface PortDecl {
  value: number | null;
  expr: Expr;
  span: Span;
}

export interface ServerBlock {
  kind: "server";
  name: string | null;
  /** Where the block first appears (sorted file order). */
  file: string;
  span: Span;
  fns: Fn[];
  routes: Route[];
  models: Model[];
  dbs: Db[];
  envs: EnvVar[];
  ports: PortDecl[];
  peers: Peer[];
  schedules: Schedule[];
  subscriptions: Subscription[];
  hooks: Hook[];
  websockets: WebSocketHandler[];
  sse: SseHandler[];
  configs: ServerConfig[];
  maxBody: { value: Expr; span: Span }[];
  bindings: Binding[];
  types: TypeDecl[];
  /** Other top-level statements: run once at start-up. */
  stmts: Stmt[];
}

export interface SharedBlock {
  kind: "shared";
  types: TypeDecl[];
  fns: Fn[];
  bindings: Binding[];
  imports: ast.ImportDecl[];
  stmts: Stmt[];
}

export interface ClientBlock {
  kind: "client";
  name: string | null;
  file: string;
  span: Span;
  states: { name: string; type: TypeExpr | null; value: Expr; span: Span; nameSpan: Span }[];
  computeds: { name: string; value: Expr; span: Span; nameSpan: Span }[];
  effects: { body: Block; span: Span }[];
  components: { name: string; params: Param[]; body: Block; span: Span; nameSpan: Span }[];
  fns: Fn[];
  bindings: Binding[];
  types: TypeDecl[];
  stmts: Stmt[];
}

export interface DataBlock {
  kind: "data";
  sources: { name: string; value: Expr; span: Span; nameSpan: Span }[];
  refreshes: { name: string; intervalMs: number | null; interval: Expr; span: Span; nameSpan: Span }[];
  bindings: Binding[];
  fns: Fn[];
  stmts: Stmt[];
}

export interface SecurityBlock {
  kind: "security";
  entries: ast.ConfigEntry[];
  span: Span;
  /** What the entries say, once checked (ir/lower-security.ts); null before. */
  rules?: SecurityRules;
}

/** The `security { }` block, checked and typed (security.md, "The `security` block"). Values are desugared expressions. */
export interface SecurityRules {
  auth: { kind: "jwt"; secret: Expr; expires: Expr | null; span: Span } | { kind: "api_key"; header: Expr | null; keys: Expr; span: Span } | null;
  roles: { name: string; can: string[]; span: Span; nameSpan: Span }[];
  /** In order: the first match wins. `require` is "authenticated" or a role's name. */
  protect: { pattern: string; require: string; span: Span; patternSpan: Span }[];
  /** Settings by key (`origins`, `credentials`, ...), null when the block has no such part. */
  cors: Map<string, { value: Expr; span: Span }> | null;
  rateLimit: Map<string, { value: Expr; span: Span }> | null;
  trustProxy: Expr | null;
}

/** A `deploy "env" { }` block, validated and typed (deploy-blocks.md, "Block Properties"). */
export interface DeployTarget {
  name: string;
  /**
   * The hosts (ssh targets) the release goes to, in rollout order: one for
   * `server: "root@web1"`, several for `server: ["root@web1", "root@web2"]`
   * (scale-out.md, "Several hosts").
   */
  servers: string[];
  domain: string;
  instances: number;
  memory: string;
  branch: string;
  health: string;
  healthInterval: number;
  healthTimeout: number;
  restartOnFailure: boolean;
  keepReleases: number;
  env: Record<string, string>;
  db: { postgres: Record<string, string | number | boolean> | null; redis: Record<string, string | number | boolean> | null };
  span: Span;
  /** Where `server` is written (diagnostics about the hosts point here). */
  serverSpan: Span | null;
}

/** One file's declarations, grouped by block, before merging. */
export interface FileIR {
  file: string;
  servers: ServerBlock[];
  clients: ClientBlock[];
  shared: SharedBlock;
  data: DataBlock;
  security: SecurityBlock[];
  deploys: { name: string; entries: ast.ConfigEntry[]; span: Span; nameSpan: Span }[];
}

/** The merged application (after `merge-blocks`). */
export interface App {
  /** The file's name for one file, the directory's name for a directory (decisions.md, "Output"). */
  stem: string;
  files: string[];
  shared: SharedBlock;
  servers: ServerBlock[];
  clients: ClientBlock[];
  data: DataBlock;
  security: SecurityBlock | null;
  deploys: DeployTarget[];
}

/** After `assign-ports`: every server has its port and port variable. */
export interface PortedServer extends ServerBlock {
  port: number;
  portEnv: string;
}

export interface PortedApp extends App {
  servers: PortedServer[];
}
