import type { Span } from "./span.js";

/**
 * Every syntax node of Tova. Each node has a `kind` and a `span`; the parser
 * accepts every statement in every block and lowering says which belong where,
 * so a misplaced `route` gets a precise error instead of a parse failure.
 */

export interface Node {
  span: Span;
}

export interface Program extends Node {
  kind: "Program";
  file: string;
  items: TopItem[];
}

export type TopItem = BlockDecl | DeployDecl | SecurityDecl | Stmt;

export type BlockKind = "shared" | "server" | "client" | "data";

export interface BlockDecl extends Node {
  kind: "BlockDecl";
  block: BlockKind;
  /** null for the unnamed (default) block. */
  name: string | null;
  nameSpan: Span | null;
  body: Stmt[];
}

export interface DeployDecl extends Node {
  kind: "DeployDecl";
  name: string;
  nameSpan: Span;
  entries: ConfigEntry[];
}

export interface SecurityDecl extends Node {
  kind: "SecurityDecl";
  name: string | null;
  entries: ConfigEntry[];
}

/**
 * `key: value`, `key { ... }`, `key label { ... }` (`auth jwt { ... }`,
 * `protect "/api/*" { ... }`) or `key value` (`trust_proxy true`, security.md)
 * in configuration bodies: deploy, security, db, cors, discover, ...
 * `value` is set for `key: value` and `key value`; `entries` for the braced forms.
 */
export interface ConfigEntry extends Node {
  kind: "ConfigEntry";
  key: string;
  keySpan: Span;
  label: string | null;
  /** Where the label is written (`jwt` of `auth jwt`, the pattern of `protect "/api/*"`). */
  labelSpan?: Span;
  value: Expr | null;
  entries: ConfigEntry[] | null;
}

// ---- statements ---------------------------------------------------------

export type Stmt =
  | LetStmt
  | AssignStmt
  | ExprStmt
  | ReturnStmt
  | BreakStmt
  | ContinueStmt
  | ForStmt
  | WhileStmt
  | FnDecl
  | TypeDecl
  | ImportDecl
  | RouteStmt
  | ModelStmt
  | DbStmt
  | EnvStmt
  | PortStmt
  | DiscoverStmt
  | ScheduleStmt
  | SubscribeStmt
  | EmitStmt
  | LifecycleStmt
  | WebSocketStmt
  | SseStmt
  | ConfigStmt
  | MaxBodyStmt
  | StateStmt
  | ComputedStmt
  | EffectStmt
  | ComponentStmt
  | SourceStmt
  | RefreshStmt
  | PlaceholderStmt
  | ErrorStmt;

/** `x = e` (a new immutable binding, or an assignment when `x` is a `var`), `var x = e`. */
export interface LetStmt extends Node {
  kind: "Let";
  name: string;
  nameSpan: Span;
  mutable: boolean;
  type: TypeExpr | null;
  value: Expr;
}

export interface AssignStmt extends Node {
  kind: "Assign";
  target: Expr;
  op: "=" | "+=" | "-=" | "*=" | "/=";
  value: Expr;
}

export interface ExprStmt extends Node {
  kind: "ExprStmt";
  expr: Expr;
}

export interface ReturnStmt extends Node {
  kind: "Return";
  value: Expr | null;
}

export interface BreakStmt extends Node {
  kind: "Break";
}

export interface ContinueStmt extends Node {
  kind: "Continue";
}

export interface ForStmt extends Node {
  kind: "For";
  /** `for x in xs` has one name; `for i, x in xs` and `for k, v in obj` have two. */
  names: Ident[];
  iterable: Expr;
  body: BlockExpr;
}

export interface WhileStmt extends Node {
  kind: "While";
  cond: Expr;
  body: BlockExpr;
}

export interface Param extends Node {
  name: string;
  type: TypeExpr | null;
  default: Expr | null;
}

export type FnModifier = "background" | "middleware" | null;

export interface FnDecl extends Node {
  kind: "FnDecl";
  name: string;
  nameSpan: Span;
  modifier: FnModifier;
  async: boolean;
  typeParams: string[];
  params: Param[];
  returnType: TypeExpr | null;
  body: BlockExpr;
  exported: boolean;
}

export interface FieldDecl extends Node {
  name: string;
  type: TypeExpr;
}

export interface VariantDecl extends Node {
  name: string;
  fields: FieldDecl[];
}

export interface TypeDecl extends Node {
  kind: "TypeDecl";
  name: string;
  nameSpan: Span;
  typeParams: string[];
  def:
    | { kind: "record"; fields: FieldDecl[] }
    | { kind: "enum"; variants: VariantDecl[] }
    | { kind: "alias"; type: TypeExpr };
}

export interface ImportDecl extends Node {
  kind: "Import";
  names: { name: string; alias: string | null; span: Span }[];
  defaultName: string | null;
  from: string;
}

export interface RouteStmt extends Node {
  kind: "Route";
  method: string;
  methodSpan: Span;
  path: string;
  pathSpan: Span;
  handler: Expr;
}

export interface ModelStmt extends Node {
  kind: "Model";
  name: string;
  nameSpan: Span;
  /** null for `model User` (fields from the shared type). */
  fields: FieldDecl[] | null;
}

export interface DbStmt extends Node {
  kind: "Db";
  entries: ConfigEntry[];
}

export interface EnvStmt extends Node {
  kind: "Env";
  name: string;
  nameSpan: Span;
  type: TypeExpr;
  default: Expr | null;
}

export interface PortStmt extends Node {
  kind: "Port";
  value: Expr;
}

export interface DiscoverStmt extends Node {
  kind: "Discover";
  peer: string;
  peerSpan: Span;
  /** The `at "url"` expression, when written. */
  at: Expr | null;
  /** Configuration from `{ ... }` or `with { ... }`. */
  entries: ConfigEntry[];
  form: "at" | "at-config" | "at-with" | "config";
}

export interface ScheduleStmt extends Node {
  kind: "Schedule";
  /** The label of `schedule "name" cron("...")`, or the fn's name. */
  name: string | null;
  cron: string;
  cronSpan: Span;
  body: BlockExpr;
  form: "fn" | "cron";
}

export interface SubscribeStmt extends Node {
  kind: "Subscribe";
  event: string;
  eventSpan: Span;
  handler: LambdaExpr;
}

export interface EmitStmt extends Node {
  kind: "Emit";
  event: string;
  eventSpan: Span;
  value: Expr;
}

export interface LifecycleStmt extends Node {
  kind: "Lifecycle";
  hook: "on_start" | "on_stop" | "on_error";
  handler: LambdaExpr;
}

export interface WebSocketStmt extends Node {
  kind: "WebSocket";
  path: string | null;
  handlers: { name: string; span: Span; handler: LambdaExpr }[];
}

export interface SseStmt extends Node {
  kind: "Sse";
  path: string;
  pathSpan: Span;
  handler: LambdaExpr;
}

export type ConfigStmtName = "cors" | "rate_limit" | "tls" | "sessions" | "cache" | "static" | "uploads";

export interface ConfigStmt extends Node {
  kind: "Config";
  name: ConfigStmtName;
  entries: ConfigEntry[];
}

export interface MaxBodyStmt extends Node {
  kind: "MaxBody";
  value: Expr;
}

export interface StateStmt extends Node {
  kind: "State";
  name: string;
  nameSpan: Span;
  type: TypeExpr | null;
  value: Expr;
}

export interface ComputedStmt extends Node {
  kind: "Computed";
  name: string;
  nameSpan: Span;
  value: Expr;
}

export interface EffectStmt extends Node {
  kind: "Effect";
  body: BlockExpr;
}

export interface ComponentStmt extends Node {
  kind: "Component";
  name: string;
  nameSpan: Span;
  params: Param[];
  body: BlockExpr;
}

export interface SourceStmt extends Node {
  kind: "Source";
  name: string;
  nameSpan: Span;
  value: Expr;
}

export interface RefreshStmt extends Node {
  kind: "Refresh";
  name: string;
  nameSpan: Span;
  interval: Expr;
}

/** `...` standing for elided code in the spec's fragments. */
export interface PlaceholderStmt extends Node {
  kind: "Placeholder";
}

/** What the parser leaves where it recovered from a syntax error. */
export interface ErrorStmt extends Node {
  kind: "ErrorStmt";
  /** The name the broken statement was evidently defining (`x = ...`, `fn f(`), so later uses of it are not reported too. */
  defines: string | null;
}

// ---- expressions --------------------------------------------------------

export type Expr =
  | NumLit
  | StrLit
  | TemplateLit
  | BoolLit
  | NilLit
  | Ident
  | ArrayLit
  | ObjectLit
  | RecordLit
  | MemberExpr
  | IndexExpr
  | CallExpr
  | UnaryExpr
  | BinaryExpr
  | CompareExpr
  | RangeExpr
  | PipeExpr
  | PropagateExpr
  | LambdaExpr
  | ImplicitMember
  | IfExpr
  | MatchExpr
  | BlockExpr
  | AwaitExpr
  | TryExpr
  | JsxElement
  | ErrorExpr;

export interface NumLit extends Node {
  kind: "Num";
  value: number;
  raw: string;
}

export interface StrLit extends Node {
  kind: "Str";
  value: string;
}

export interface TemplateLit extends Node {
  kind: "Template";
  parts: (string | Expr)[];
}

export interface BoolLit extends Node {
  kind: "Bool";
  value: boolean;
}

export interface NilLit extends Node {
  kind: "Nil";
}

export interface Ident extends Node {
  kind: "Ident";
  name: string;
}

export interface Spread extends Node {
  kind: "Spread";
  value: Expr;
}

export interface ArrayLit extends Node {
  kind: "Array";
  elements: (Expr | Spread)[];
}

export interface Prop extends Node {
  kind: "Prop";
  key: string;
  keySpan: Span;
  value: Expr;
  shorthand: boolean;
  /** The key was written as a string (`{ "apple": 5 }`): such literals are maps (decisions.md, "Maps"). */
  quoted?: boolean;
}

export interface ObjectLit extends Node {
  kind: "Object";
  entries: (Prop | Spread)[];
  /** Set when lowering gathered named arguments (`stream(f, batch: 10)`) into this object. */
  fromNamedArgs?: boolean;
}

/** `User { id: 1, name: "a" }`; positional `User(1, "a")` is a call. */
export interface RecordLit extends Node {
  kind: "Record";
  type: string;
  typeSpan: Span;
  fields: Prop[];
}

export interface MemberExpr extends Node {
  kind: "Member";
  object: Expr;
  name: string;
  nameSpan: Span;
  optional: boolean;
}

export interface IndexExpr extends Node {
  kind: "Index";
  object: Expr;
  index: Expr;
}

export interface Arg extends Node {
  name: string | null;
  value: Expr;
}

export interface CallExpr extends Node {
  kind: "Call";
  callee: Expr;
  args: Arg[];
}

export interface UnaryExpr extends Node {
  kind: "Unary";
  op: "-" | "!" | "not";
  operand: Expr;
}

export type BinaryOp = "+" | "-" | "*" | "/" | "%" | "**" | "??" | "or" | "and" | "==" | "!=" | "<" | "<=" | ">" | ">=";

export interface BinaryExpr extends Node {
  kind: "Binary";
  op: BinaryOp;
  left: Expr;
  right: Expr;
}

/** A chained comparison `1 < x < 10` (two or more operators). */
export interface CompareExpr extends Node {
  kind: "Compare";
  ops: BinaryOp[];
  operands: Expr[];
}

export interface RangeExpr extends Node {
  kind: "Range";
  start: Expr;
  end: Expr;
  inclusive: boolean;
}

/** `left |> stage`: lowering turns it into a call. */
export interface PipeExpr extends Node {
  kind: "Pipe";
  left: Expr;
  stage: Expr;
}

export interface PropagateExpr extends Node {
  kind: "Propagate";
  expr: Expr;
}

export interface LambdaExpr extends Node {
  kind: "Lambda";
  name: string | null;
  async: boolean;
  params: Param[];
  returnType: TypeExpr | null;
  body: Expr;
}

/** `.field` in an argument: the argument becomes a one-parameter lambda. */
export interface ImplicitMember extends Node {
  kind: "ImplicitMember";
  name: string;
}

export interface IfExpr extends Node {
  kind: "If";
  branches: { cond: Expr; body: BlockExpr }[];
  otherwise: BlockExpr | null;
}

export interface MatchArm extends Node {
  pattern: Pattern;
  guard: Expr | null;
  body: Expr;
}

export interface MatchExpr extends Node {
  kind: "Match";
  subject: Expr;
  arms: MatchArm[];
}

export interface BlockExpr extends Node {
  kind: "Block";
  stmts: Stmt[];
}

export interface AwaitExpr extends Node {
  kind: "Await";
  expr: Expr;
}

export interface TryExpr extends Node {
  kind: "Try";
  body: BlockExpr;
  catchName: string | null;
  catchBody: BlockExpr | null;
  finallyBody: BlockExpr | null;
}

export type JsxChild = JsxElement | JsxText | JsxExprChild | JsxFor | JsxIf;

export interface JsxAttr extends Node {
  name: string;
  value: Expr | null;
}

export interface JsxElement extends Node {
  kind: "JsxElement";
  tag: string;
  attrs: JsxAttr[];
  children: JsxChild[];
}

export interface JsxText extends Node {
  kind: "JsxText";
  text: string;
}

export interface JsxExprChild extends Node {
  kind: "JsxExpr";
  expr: Expr;
}

export interface JsxFor extends Node {
  kind: "JsxFor";
  names: Ident[];
  iterable: Expr;
  /** `for todo in todos key todo.id { }` (client.md): identifies each item of a keyed list; read in the loop's scope. */
  key: Expr | null;
  children: JsxChild[];
}

export interface JsxIf extends Node {
  kind: "JsxIf";
  branches: { cond: Expr; children: JsxChild[] }[];
  otherwise: JsxChild[] | null;
}

export interface ErrorExpr extends Node {
  kind: "ErrorExpr";
}

// ---- patterns -----------------------------------------------------------

export type Pattern =
  | { kind: "PWild"; span: Span }
  | { kind: "PBind"; name: string; span: Span }
  | { kind: "PLit"; value: string | number | boolean | null; span: Span }
  | { kind: "PRange"; start: number; end: number; inclusive: boolean; span: Span }
  | { kind: "PVariant"; name: string; args: Pattern[]; span: Span }
  | { kind: "PArray"; elements: Pattern[]; rest: string | null; span: Span }
  | { kind: "PObject"; fields: { key: string; pattern: Pattern | null; span: Span }[]; span: Span };

// ---- types --------------------------------------------------------------

export type TypeExpr =
  | { kind: "TName"; name: string; args: TypeExpr[]; span: Span }
  | { kind: "TArray"; element: TypeExpr; span: Span }
  | { kind: "TMap"; key: TypeExpr; value: TypeExpr; span: Span }
  | { kind: "TFn"; params: TypeExpr[]; result: TypeExpr; span: Span };
