import { describe, expect, it } from "vitest";
import { codesAt, diagnose, type Files } from "./helpers.js";

/**
 * Error cases: each program is otherwise clean and produces exactly one
 * diagnostic (warnings included), compared as `CODE line:col`. Programs are
 * template literals whose first line starts right after the backtick, so
 * line 1 is the backtick's line and columns are 1-based. Multi-file cases
 * give every file; the position is in the file that holds the diagnostic.
 */
interface Case {
  name: string;
  src: Files;
  expected: string;
}

const cases: Case[] = [
  // ---- lexing ------------------------------------------------------------
  {
    name: "E0001 a character that starts no token",
    src: `x = 1
y = x \`
print(y)`,
    expected: "E0001 2:7",
  },
  {
    name: "E0002 a string never closed",
    src: `greeting = "hello
print(greeting)`,
    expected: "E0002 1:12",
  },
  {
    name: "E0002 an interpolation never closed (reported at its `{`)",
    src: `name = "Tova"
print("hi {name")`,
    expected: "E0002 2:11",
  },
  {
    name: "E0002 a triple-quoted string never closed",
    src: `doc = """
never closed`,
    expected: "E0002 1:7",
  },
  {
    name: "E0003 a block comment never closed",
    src: `x = 1
/* a comment
that never ends`,
    expected: "E0003 2:1",
  },
  {
    name: "E0003 a nested block comment whose outer part is never closed",
    src: `/* outer /* inner */
x = 1`,
    expected: "E0003 1:1",
  },
  {
    name: "E0004 a number run into letters",
    src: `n = 12abc
print(n)`,
    expected: "E0004 1:5",
  },
  {
    name: "E0004 a hex literal without digits",
    src: `n = 0xZZ
print(n)`,
    expected: "E0004 1:5",
  },
  {
    name: "E0005 an unknown escape",
    src: `s = "a\\qb"
print(s)`,
    expected: "E0005 1:7",
  },

  // ---- parsing -------------------------------------------------------------
  {
    name: "E0010 a missing `)` (the `}` is found instead)",
    src: `fn show(xs) {
  print(len(xs)
}`,
    expected: "E0010 3:1",
  },
  {
    name: "E0011 a match whose `}` is missing (the next statement is not an arm)",
    src: `fn name_of(n) {
  word = match n {
    1 => "one"
    _ => "many"
  total = 2
  word
}`,
    // The match's `{`, which the indentation says ends before line 5 (issue 9; frontend/parser/unclosed.ts).
    expected: "E0011 2:18",
  },
  {
    name: "E0011 a match whose `}` is missing (no binding is involved)",
    src: `fn name_of(n) {
  match n {
    1 => "one"
    _ => "many"
  print(n)
}`,
    expected: "E0011 2:11",
  },
  {
    name: "E0010 an operator where an operand belongs",
    src: `x = 1 + * 2
print(x)`,
    expected: "E0010 1:9",
  },
  {
    name: "E0010 a keyword used as a variable name",
    src: `var if = 1`,
    expected: "E0010 1:5",
  },
  {
    name: "E0010 record fields with no separator",
    src: `type T { a: Int b: String }`,
    expected: "E0010 1:17",
  },
  {
    name: "E0011 a server block never closed",
    src: `server {
  fn ping() { "pong" }
`,
    expected: "E0011 1:8",
  },
  {
    name: "E0011 a function body never closed",
    src: `fn f(x) {
  x + 1
`,
    expected: "E0011 1:9",
  },
  {
    name: "E0011 a `[` never closed",
    src: `xs = [1, 2`,
    expected: "E0011 1:6",
  },
  {
    name: "E0012 a JSX closing tag that does not match",
    src: `client {
  component App {
    <div>hello</span>
  }
}`,
    expected: "E0012 3:15",
  },
  {
    name: "E0013 a route in a shared block",
    src: `shared {
  route GET "/a" => fn(req, res) res.json({})
}`,
    expected: "E0013 2:3",
  },
  {
    name: "E0013 client state in a server block",
    src: `server {
  state count = 0
}`,
    expected: "E0013 2:3",
  },
  {
    name: "E0013 a model in a client block",
    src: `client {
  model Todo { title: String }
}`,
    expected: "E0013 2:3",
  },
  {
    name: "E0013 client state at the top level of a file",
    src: `state count = 0`,
    expected: "E0013 1:1",
  },
  {
    name: "E0013 a type declared inside a function",
    src: `fn f() {
  type Inner { a: Int }
  1
}`,
    expected: "E0013 2:3",
  },
  {
    name: "E0014 an assignment to a call",
    src: `fn f() { 1 }
f() = 2`,
    expected: "E0014 2:1",
  },

  // ---- names ---------------------------------------------------------------
  {
    name: "E0101 an unknown name",
    src: `fn greet(user_name) {
  print(usr_name)
}`,
    expected: "E0101 2:9",
  },
  {
    name: "E0101 an unknown component in JSX",
    src: `client {
  component App {
    <div><Header /></div>
  }
}`,
    expected: "E0101 3:11",
  },
  {
    name: "E0101 an unknown variant in a pattern",
    src: `type Severity { Info, Warning, Critical }
fn rank(s) {
  match s {
    Info => 1
    Warnin => 2
    _ => 3
  }
}`,
    expected: "E0101 5:5",
  },
  {
    name: "E0101 a server function called directly from a client",
    src: `server {
  fn get_users() { [] }
}
client {
  state users = []
  effect {
    users = get_users()
  }
}`,
    expected: "E0101 7:13",
  },
  {
    name: "E0101 a non-plain-data binding of another server block",
    src: `server "a" {
  started = Date.now()
}
server "b" {
  fn uptime() { Date.now() - started }
}`,
    expected: "E0101 5:30",
  },
  {
    name: "E0101 a refresh of an unknown data source",
    src: `data {
  source sales = read("sales.csv")
  refresh sale every 10.minutes
}`,
    expected: "E0101 3:11",
  },
  {
    name: "E0102 an unknown type in a parameter",
    src: `type User { id: Int, name: String }
fn show(u: Usr) { u.name }`,
    expected: "E0102 2:12",
  },
  {
    name: "E0102 a model with no body and no type to take fields from",
    src: `server {
  db { path: "app.db" }
  model Account
}`,
    expected: "E0102 3:9",
  },
  {
    name: "E0103 one function twice in a server block merged across files",
    src: {
      "a.tova": `server "api" {
  fn list_users() { [] }
}`,
      "b.tova": `server "api" {
  fn ping() { "pong" }
  fn list_users() { [1] }
}`,
    },
    expected: "E0103 3:6",
  },
  {
    name: "E0102 an unknown type in a record field",
    src: `type Order { id: Int, owner: Customer }`,
    expected: "E0102 1:30",
  },
  {
    name: "E0103 one type twice",
    src: `type User { id: Int }
type User { name: String }`,
    expected: "E0103 2:6",
  },
  {
    name: "E0103 a deploy property set twice",
    src: `deploy "prod" {
  server: "root@a.example.com"
  domain: "example.com"
  server: "root@b.example.com"
}`,
    expected: "E0103 4:3",
  },
  {
    name: "E0103 one component twice in a client",
    src: `client {
  component App { <div>a</div> }
  component App { <div>b</div> }
}`,
    expected: "E0103 3:13",
  },
  {
    name: "E0103 one env variable twice in a server merged across files",
    src: {
      "a.tova": `server "api" {
  env TOKEN: String = "a"
}`,
      "b.tova": `server "api" {
  env TOKEN: String = "b"
}`,
    },
    expected: "E0103 2:7",
  },
  {
    name: "E0103 one variant name in two enums of the shared scope",
    src: `type Level { Low, High }
type Volume { Low, Loud }`,
    expected: "E0103 2:15",
  },
  {
    name: "E0104 compound assignment to an immutable binding",
    src: `fn count() {
  x = 1
  x += 1
  x
}`,
    expected: "E0104 3:3",
  },
  {
    name: "E0104 a function assigning a shared immutable binding",
    src: `limit = 10
fn raise() {
  limit += 1
}`,
    expected: "E0104 3:3",
  },
  {
    name: "E0105 a var of another server block mutated",
    src: `server "a" {
  var hits = 0
}
server "b" {
  fn bump() {
    hits += 1
  }
}`,
    expected: "E0105 6:5",
  },
  {
    name: "E0105 a var of another server block reassigned with `=`",
    src: `server "a" {
  var hits = 0
}
server "b" {
  fn reset() {
    hits = 0
  }
}`,
    expected: "E0105 6:5",
  },
  {
    name: "E0106 a function of another server block called directly",
    src: `server "a" {
  fn ping() { "pong" }
}
server "b" {
  fn relay() { ping() }
}`,
    expected: "E0106 5:16",
  },
  {
    name: "E0106 a function of a discovered server called without its peer name",
    src: `server "a" {
  fn ping() { "pong" }
}
server "b" {
  discover "a" at "http://localhost:3000"
  fn relay() { ping() }
}`,
    expected: "E0106 6:16",
  },
  {
    name: "E0107 server.f() from a client when two servers define f",
    src: `server "a" {
  fn stats() { 1 }
}
server "b" {
  fn stats() { 2 }
}
client {
  effect {
    print(server.stats())
  }
}`,
    expected: "E0107 9:18",
  },
  {
    name: "E0108 server.f() from a client when no server defines f",
    src: `server {
  fn get_users() { [] }
}
client {
  state users = []
  effect {
    users = server.get_user()
  }
}`,
    expected: "E0108 7:20",
  },
  {
    name: "E0110 a discovered peer without the function",
    src: `server "a" {
  discover "b" at "http://localhost:3001"
  fn go() { b.pong() }
}
server "b" {
  fn ping() { "pong" }
}`,
    expected: "E0110 3:15",
  },
  {
    name: "E0110 a peer's background fn is not reachable over RPC",
    src: `server "a" {
  discover "b" at "http://localhost:3001"
  fn go() { b.crunch(1) }
}
server "b" {
  background fn crunch(n) { n }
}`,
    expected: "E0110 3:15",
  },
  {
    name: "E0108 server.f() from a client, where f takes the request (no RPC endpoint)",
    src: `server {
  fn whoami(req) { req.user }
  route GET "/me" => whoami
}
client {
  fn load() {
    print(server.whoami())
  }
}`,
    expected: "E0108 7:18",
  },
  {
    name: "E0108 server.f() from a client, where f takes uploaded files",
    src: `server {
  uploads { max_size: 1.megabytes }
  fn upload(photo: File) { photo.name }
  route POST "/photos" => upload
}
client {
  state name = ""
  fn send(f) {
    name = server.upload(f)
  }
}`,
    expected: "E0108 9:19",
  },
  {
    name: "E0110 a peer's function that takes the request is not reachable over RPC",
    src: `server "a" {
  discover "b" at "http://localhost:3001"
  fn go() { b.note("x") }
}
server "b" {
  fn note(req, text: String) { text }
  route POST "/notes" => note
}`,
    expected: "E0110 3:15",
  },
  {
    name: "E0111 spawn_job of a plain fn",
    src: `server {
  fn work(x) { x }
  fn start() { spawn_job(work, 1) }
}`,
    expected: "E0111 3:26",
  },

  // ---- types ---------------------------------------------------------------
  {
    name: "E0201 an unknown field in a record construction",
    src: `type User { id: Int, name: String }
u = User { id: 1, name: "a", age: 3 }`,
    expected: "E0201 2:30",
  },
  {
    name: "E0206 a record field given a literal of the wrong type",
    src: `type User { id: Int, name: String }
u = User { id: "seven", name: "a" }`,
    expected: "E0206 2:16",
  },
  {
    name: "E0202 a missing field in a record construction",
    src: `type User { id: Int, name: String }
u = User { id: 1 }`,
    expected: "E0202 2:5",
  },
  {
    name: "E0203 a match missing an enum variant",
    src: `type Severity { Info, Warning, Critical }
fn label(s) {
  match s {
    Info => "i"
    Warning => "w"
  }
}`,
    expected: "E0203 3:3",
  },
  {
    name: "E0203 a match on an Option missing None",
    src: `fn get(o) {
  match o {
    Some(x) => x
  }
}`,
    expected: "E0203 2:3",
  },
  {
    name: "E0203 a match on a Result missing Err",
    src: `fn get(r) {
  match r {
    Ok(v) => v
  }
}`,
    expected: "E0203 2:3",
  },
  {
    name: "E0203 a match on a Bool missing false",
    src: `fn yes(b) {
  match b {
    true => "yes"
  }
}`,
    expected: "E0203 2:3",
  },
  {
    name: "E0203 a guarded arm does not cover its variant",
    src: `fn positive(o) {
  match o {
    Some(x) if x > 0 => x
    None => 0
  }
}`,
    expected: "E0203 2:3",
  },
  {
    name: "E0203 a match missing an enum variant with fields",
    src: `type Shape { Circle(radius: Float), Rect(w: Float, h: Float) }
fn area(s) {
  match s {
    Circle(r) => 3.14 * r * r
  }
}`,
    expected: "E0203 3:3",
  },
  {
    name: "E0204 a peer call with the wrong number of arguments",
    src: `server "a" {
  discover "b" at "http://localhost:3001"
  fn go() { b.add(1) }
}
server "b" {
  fn add(x, y) { x + y }
}`,
    expected: "E0204 3:13",
  },
  {
    name: "E0204 a local call with too many arguments",
    src: `fn add(a, b) { a + b }
x = add(1, 2, 3)`,
    expected: "E0204 2:5",
  },
  {
    name: "E0204 a positional record construction with too few values",
    src: `type Point { x: Int, y: Int }
p = Point(1)`,
    expected: "E0204 2:5",
  },
  {
    name: "E0204 spawn_job of a background fn with the wrong number of arguments",
    src: `server {
  background fn send_email(to, subject) { print(to) }
  fn signup() { spawn_job(send_email, "a@b.c") }
}`,
    expected: "E0204 3:17",
  },
  {
    name: "E0204 a variant constructor with too many values",
    src: `type Shape { Circle(radius: Float), Rect(w: Float, h: Float) }
c = Circle(1.0, 2.0)`,
    expected: "E0204 2:5",
  },
  {
    name: "E0204 server.f() from a client with the wrong number of arguments",
    src: `server {
  fn get_user(id) { id }
}
client {
  effect {
    print(server.get_user(1, 2))
  }
}`,
    expected: "E0204 6:11",
  },
  {
    name: "E0205 a route handler without the path parameter",
    src: `server {
  fn get_user(name) { name }
  route GET "/users/:id" => get_user
}`,
    expected: "E0205 3:13",
  },
  {
    name: "E0205 a lambda route handler without the path parameter",
    src: `server {
  route GET "/users/:id" => fn(name) name
}`,
    expected: "E0205 2:13",
  },
  {
    name: "E0207 a match pattern naming a variant of another type",
    src: `type Severity { Info, Warning }
type Shape { Circle(r: Float), Square(s: Float) }
fn rank(s) {
  match s {
    Info => 1
    Warning => 2
    Circle(r) => 3
  }
}`,
    expected: "E0207 7:5",
  },
  {
    name: "E0207 a match on a String with an enum's variants",
    src: `type Level { Low(n: Int), High(n: Int) }
fn label(s: String) -> String {
  match s {
    Low(n) => "low {n}"
    High(n) => "high {n}"
  }
}`,
    expected: "E0207 4:5",
  },
  {
    name: "E0207 a match on an Option with an enum's variants and no nil arm",
    src: `type Level { Low(n: Int), High(n: Int) }
fn pick(x: Int) -> Option<Level> { if x < 0 { None } else { Some(Low(x)) } }
fn label(x: Int) -> String {
  match pick(x) {
    Low(n) => "low {n}"
    High(n) => "high {n}"
  }
}`,
    expected: "E0207 5:5",
  },
  {
    name: "E0206 a literal of the wrong type for an annotated parameter",
    src: `fn double(n: Int) { n * 2 }
x = double("two")`,
    expected: "E0206 2:12",
  },
  {
    name: "E0206 a literal of the wrong type for an annotated var",
    src: `var count: Int = "zero"`,
    expected: "E0206 1:18",
  },

  // ---- server statements ---------------------------------------------------
  {
    name: "E0206 a literal returned from a function declared to return Int",
    src: `fn answer() -> Int { "forty-two" }`,
    expected: "E0206 1:22",
  },
  {
    name: "E0206 a client state initialised with a literal of the wrong type",
    src: `client {
  state count: Int = "zero"
}`,
    expected: "E0206 2:22",
  },
  {
    name: "E0301 two servers with the same explicit port",
    src: `server "a" {
  port 3001
}
server "b" {
  port 3001
}`,
    expected: "E0301 5:3",
  },
  {
    name: "E0301 an explicit port and an env PORT default that collide",
    src: `server "a" {
  port 3001
}
server "b" {
  env PORT: Int = 3001
}`,
    expected: "E0301 5:3",
  },
  {
    name: "E0302 a port out of range",
    src: `server {
  port 70000
}`,
    expected: "E0302 2:8",
  },
  {
    name: "E0302 a port written as a string",
    src: `server {
  port "3000"
}`,
    expected: "E0302 2:8",
  },
  {
    name: "E0303 a cron field out of range",
    src: `server {
  schedule "61 * * * *" fn tick() { print("tick") }
}`,
    expected: "E0303 2:12",
  },
  {
    name: "E0302 an env PORT default of 0",
    src: `server {
  env PORT: Int = 0
}`,
    expected: "E0302 2:19",
  },
  {
    name: "E0303 a cron with three fields",
    src: `server {
  schedule "* * *" fn() { print("tick") }
}`,
    expected: "E0303 2:12",
  },
  {
    name: "E0303 a bad cron in the named form",
    src: `server {
  schedule "cleanup" cron("0 25 * * *") { print("clean") }
}`,
    expected: "E0303 2:27",
  },
  {
    name: "E0304 an unknown discover key",
    src: `server {
  discover "billing" at "http://localhost:4000" { treshold: 5 }
}`,
    expected: "E0304 2:51",
  },
  {
    name: "E0305 a breaker setting that is not a number",
    src: `server {
  discover "billing" at "http://localhost:4000" { threshold: "five" }
}`,
    expected: "E0305 2:62",
  },
  {
    name: "E0305 a breaker timeout written as a string",
    src: `server {
  discover "billing" {
    url: "http://localhost:4000",
    circuit_breaker: { failure_threshold: 3, reset_timeout: "30s" }
  }
}`,
    expected: "E0305 4:61",
  },
  {
    name: "E0306 a route method that is not an HTTP method",
    src: `server {
  route FETCH "/a" => fn(req, res) res.json({})
}`,
    expected: "E0306 2:9",
  },
  {
    name: "E0307 an unknown db adapter",
    src: `server {
  db { adapter: "mongo" }
}`,
    expected: "E0307 2:8",
  },
  {
    name: "E0307 an unknown db key",
    src: `server {
  db { adapter: "sqlite", databse: "app.db" }
}`,
    expected: "E0307 2:27",
  },
  {
    name: "E0307 a pool that is not a number of connections",
    src: `server {
  db { adapter: "postgres", pool: 0 }
}`,
    expected: "E0307 2:29",
  },
  {
    name: "E0307 a SQLite file named for a PostgreSQL db",
    src: `server {
  db { adapter: "postgres", database: "app.db" }
}`,
    expected: "E0307 2:29",
  },
  {
    name: "E0311 two models that would share a table",
    src: `server {
  model Person { name: String }
  model Persons { name: String }
}`,
    expected: "E0311 3:9",
  },
  {
    name: "E0206 a refresh interval that is not a duration",
    src: `data {
  source s = read("a.csv")
  refresh s every "soon"
}
server { fn f() { len(s) } }`,
    expected: "E0206 3:19",
  },
  {
    name: "E0113 bind:value on a computed",
    src: `client {
  state n = 1
  computed d = n * 2
  component App { <input bind:value={d} /> }
}`,
    expected: "E0113 4:38",
  },
  {
    name: "E0308 the same route twice",
    src: `server {
  fn home() { "hi" }
  route GET "/" => home
  route GET "/" => home
}`,
    expected: "E0308 4:3",
  },
  {
    name: "E0308 the same route in one server merged across files",
    src: {
      "a.tova": `fn home() { "hi" }
route GET "/" => home`,
      "b.tova": `route GET "/" => home`,
    },
    expected: "E0308 1:1",
  },
  {
    name: "E0309 an env default of the wrong type",
    src: `server {
  env LIMIT: Int = "ten"
}`,
    expected: "E0309 2:20",
  },
  {
    name: "E0309 an Option env default that is not an Option of the type",
    src: `server {
  env ALERT_WEBHOOK: Option<String> = 5
}`,
    expected: "E0309 2:39",
  },
  {
    name: "E0310 two server names with one PORT_ variable",
    src: `server "a-b" {
  fn x() { 1 }
}
server "a_b" {
  fn y() { 2 }
}`,
    expected: "E0310 4:1",
  },

  // ---- deploy blocks -------------------------------------------------------
  {
    name: "E0401 a deploy block without server",
    src: `deploy "prod" {
  domain: "example.com"
}`,
    expected: "E0401 1:8",
  },
  {
    name: "E0402 a deploy block without domain",
    src: `deploy "prod" {
  server: "root@example.com"
}`,
    expected: "E0402 1:8",
  },
  {
    name: "E0403 a deploy property of the wrong type",
    src: `deploy "prod" {
  server: "root@example.com"
  domain: "example.com"
  instances: "two"
}`,
    expected: "E0403 4:14",
  },
  {
    name: "E0403 a deploy memory that is not a size",
    src: `deploy "prod" {
  server: "root@example.com"
  domain: "example.com"
  memory: "lots"
}`,
    expected: "E0403 4:11",
  },
  {
    name: "E0403 a deploy restart_on_failure that is not a Bool",
    src: `deploy "prod" {
  server: "root@example.com"
  domain: "example.com"
  restart_on_failure: "yes"
}`,
    expected: "E0403 4:23",
  },
  {
    name: "E0404 an unknown deploy property",
    src: `deploy "prod" {
  server: "root@example.com"
  domain: "example.com"
  colour: "blue"
}`,
    expected: "E0404 4:3",
  },

  {
    name: "E0404 an unknown database in a deploy db block",
    src: `deploy "prod" {
  server: "root@example.com"
  domain: "example.com"
  db {
    mysql { name: "app" }
  }
}`,
    expected: "E0404 5:5",
  },
  {
    name: "E0403 a host in a deploy server list that is not a string",
    src: `deploy "prod" {
  server: ["root@web1", 2]
  domain: "example.com"
}`,
    expected: "E0403 2:25",
  },
  {
    name: "E0405 an empty deploy server list",
    src: `deploy "prod" {
  server: []
  domain: "example.com"
}`,
    expected: "E0405 2:11",
  },
  {
    name: "E0406 a host named twice in a deploy server list",
    src: `deploy "prod" {
  server: ["root@web1", "root@web2", "root@web1"]
  domain: "example.com"
}`,
    expected: "E0406 2:38",
  },
  {
    name: "E0407 a SQLite db with more than one host",
    src: `server {
  db { path: "app.db" }
  model Note { text: String }
}
deploy "prod" {
  server: ["root@web1", "root@web2"]
  domain: "example.com"
}`,
    expected: "E0407 2:3",
  },
  {
    name: "E0407 models on the default SQLite with more than one host",
    src: `server {
  model Note { text: String }
}
deploy "prod" {
  server: ["root@web1", "root@web2"]
  domain: "example.com"
}`,
    expected: "E0407 2:3",
  },

  // ---- warnings ------------------------------------------------------------
  {
    name: "W0001 an event nobody subscribes to",
    src: `server {
  fn signup(name) {
    publish("user_created", { name })
  }
}`,
    expected: "W0001 3:13",
  },
  {
    name: "W0001 an emit nobody subscribes to",
    src: `server {
  fn signup(name) {
    emit "user_created" { name: name }
  }
}`,
    expected: "W0001 3:10",
  },
  {
    name: "W0002 a placeholder in a server block",
    src: `server {
  ...
}`,
    expected: "W0002 2:3",
  },
  {
    name: "W0002 a placeholder in a function body",
    src: `fn cleanup() {
  ...
}`,
    expected: "W0002 2:3",
  },
  {
    name: "W0002 a placeholder as a schedule body (scaling.md)",
    src: `server {
  schedule "cleanup" cron("0 * * * *") { ... }
}`,
    expected: "W0002 2:42",
  },
  {
    name: "W0002 a placeholder as an sse handler body (scaling.md)",
    src: `server {
  sse "/events" fn(send, close) { ... }
}`,
    expected: "W0002 2:35",
  },
  {
    name: "W0002 a placeholder as a websocket body (scaling.md)",
    src: `server {
  websocket "/ws" { ... }
}`,
    expected: "W0002 2:21",
  },
  // ---- parser diagnostics of issue 9 (frontend/parser/unclosed.ts, typos.ts, limits.ts)
  {
    name: "E0011 a function's `{` never closed in the middle of a server block, at that function",
    src: `server {
  fn total(xs: [Int]) -> Int {
    var sum = 0
    for x in xs { sum += x }
    sum

  fn count(xs: [Int]) -> Int {
    len(xs)
  }
}`,
    expected: "E0011 2:30",
  },
  {
    name: "E0011 an if's `{` never closed inside a function, at the if",
    src: `fn sign(x: Int) -> Int {
  if x < 0 {
    return -1
  0
}

fn other() -> Int { 1 }`,
    expected: "E0011 2:12",
  },
  {
    name: "E0010 `fun` for `fn`, at the word",
    src: `fun double(x) { x * 2 }`,
    expected: "E0010 1:1",
  },
  {
    name: "E0010 `retrun` for `return`, at the word",
    src: `fn f(x) {
  retrun x
}`,
    expected: "E0010 2:3",
  },
  {
    name: "E0010 `serer` for `server`, at the word",
    src: `serer {
  route GET "/" => fn(req) "hi"
}`,
    expected: "E0010 1:1",
  },
  {
    name: "E0010 an object as a lambda's body, at its `{`",
    src: `xs = [1, 2]
ys = xs |> map(fn(x) { v: x })
print(ys)`,
    expected: "E0010 2:22",
  },
  {
    name: "E0010 a statement after an object literal's `}` on the same line (only a block's `}` ends a statement)",
    src: `x = { a: 1 } y = 2
print(x)`,
    expected: "E0010 1:14",
  },
  {
    name: "E0010 an if branch without braces that is not return, break or continue",
    src: `fn f(c) {
  if c print("yes")
}`,
    expected: "E0010 2:8",
  },
  {
    name: "E0016 parentheses nested more than 256 deep, at the first one too deep",
    src: `x = ${"(".repeat(300)}1${")".repeat(300)}
print(x)`,
    expected: "E0016 1:261",
  },
  {
    name: "E0017 text that is not UTF-8 (a lone surrogate, as cli/files.ts reads a bad byte)",
    src: `x = "caf\uDCE9"
print(x)`,
    expected: "E0017 1:9",
  },
  {
    name: "E0001 a run of characters that start no token is one diagnostic",
    src: `x = 1 ¤¤¤
print(x)`,
    expected: "E0001 1:7",
  },
];

describe("each error program produces exactly its one diagnostic", () => {
  it.each(cases)("$name", ({ src, expected }) => {
    expect(codesAt(src)).toEqual([expected]);
  });
});

describe("the messages, hints and labels of important diagnostics", () => {
  const only = (files: Files) => {
    const ds = diagnose(files);
    expect(ds).toHaveLength(1);
    return ds[0]!;
  };

  it("E0101 suggests the closest name in scope", () => {
    const d = only(`fn greet(user_name) {
  print(usr_name)
}`);
    expect(d.code).toBe("E0101");
    expect(d.message).toContain("usr_name");
    expect(d.hint).toContain("did you mean `user_name`?");
  });

  it("E0101 for a model used by a top-level fn says the fn is shared and where to put it", () => {
    const d = only(`db { path: "./people.db" }
model Person { name: String }
fn count_people() { Person.count() }
route GET "/n" => fn() { 0 }`);
    expect(`${d.code} ${d.line}:${d.column}`).toBe("E0101 3:21");
    expect(d.message).toBe("`Person` is a model of the default server block, not of the shared scope");
    expect(d.hint).toContain("put the functions that use `Person` inside the default server block");
  });

  it("E0101 for a server-only function in the shared scope says so", () => {
    const d = only(`fn wipe(rows) { rows |> delete_all() }`);
    expect(d.message).toBe("`delete_all` is only available in server blocks");
    expect(d.hint).toContain("`server { ... }`");
  });

  it("E0101 for a server function in a client says to call it through `server.`", () => {
    const d = only(`server {
  fn get_users() { [] }
}
client {
  effect {
    print(get_users())
  }
}`);
    expect(d.code).toBe("E0101");
    expect(d.hint).toContain("server.get_users(");
  });

  it("E0103 across files points at the second definition and labels the first", () => {
    const d = only({
      "a.tova": `server "api" {
  fn list_users() { [] }
}`,
      "b.tova": `server "api" {
  fn ping() { "pong" }
  fn list_users() { [1] }
}`,
    });
    expect(d.code).toBe("E0103");
    expect(d.file).toBe("b.tova");
    expect([d.line, d.column]).toEqual([3, 6]);
    expect(d.message).toContain("list_users");
    expect(d.message).toContain('server "api"');
    expect(d.labels).toHaveLength(1);
    expect(d.labels[0]).toMatchObject({ file: "a.tova", line: 2, column: 6 });
  });

  it("E0103 for a deploy property names its key path and labels the first setting", () => {
    const d = only(`deploy "prod" {
  server: "root@a.example.com"
  domain: "example.com"
  server: "root@b.example.com"
}`);
    expect(d.message).toContain('deploy "prod".server');
    expect(d.labels[0]).toMatchObject({ line: 2, column: 3 });
  });

  it("E0104 labels the immutable binding", () => {
    const d = only(`fn count() {
  x = 1
  x += 1
  x
}`);
    expect(d.labels[0]).toMatchObject({ line: 2, column: 3 });
    expect(d.hint).toContain("var x");
  });

  it("E0106 says to discover the block and call it through the peer", () => {
    const d = only(`server "a" {
  fn ping() { "pong" }
}
server "b" {
  fn relay() { ping() }
}`);
    expect(d.hint).toContain('discover "a"');
    expect(d.hint).toContain("a.ping(");
  });

  it("E0107 names both server blocks and labels both definitions", () => {
    const d = only(`server "a" {
  fn stats() { 1 }
}
server "b" {
  fn stats() { 2 }
}
client {
  effect {
    print(server.stats())
  }
}`);
    expect(d.message).toContain('server "a"');
    expect(d.message).toContain('server "b"');
    expect(d.labels.map((l) => [l.line, l.column])).toEqual([
      [2, 6],
      [5, 6],
    ]);
  });

  it("E0110 suggests the peer's function with the closest name", () => {
    const d = only(`server "a" {
  discover "b" at "http://localhost:3001"
  fn go() { b.pong() }
}
server "b" {
  fn ping() { "pong" }
}`);
    expect(d.message).toContain('server "b"');
    expect(d.hint).toContain("did you mean `ping`?");
  });

  it("E0012 labels the opening tag", () => {
    const d = only(`client {
  component App {
    <div>hello</span>
  }
}`);
    expect(d.message).toContain("</span>");
    expect(d.labels[0]).toMatchObject({ line: 3, column: 5 });
  });

  it("E0203 names every missing variant", () => {
    const d = only(`type Severity { Info, Warning, Critical }
fn label(s) {
  match s {
    Info => "i"
  }
}`);
    expect(d.message).toContain("`Warning`");
    expect(d.message).toContain("`Critical`");
    expect(d.message).not.toContain("`Info`");
  });

  it("E0203 on an Option names None; a guarded Some arm leaves Some missing", () => {
    expect(only(`fn get(o) {
  match o {
    Some(x) => x
  }
}`).message).toContain("`None`");
    const guarded = only(`fn positive(o) {
  match o {
    Some(x) if x > 0 => x
    None => 0
  }
}`).message;
    expect(guarded).toContain("`Some`");
    expect(guarded).not.toContain("`None`");
  });

  it("E0204 says how many arguments the peer function takes and labels it", () => {
    const d = only(`server "a" {
  discover "b" at "http://localhost:3001"
  fn go() { b.add(1) }
}
server "b" {
  fn add(x, y) { x + y }
}`);
    expect(d.message).toContain("2 arguments");
    expect(d.message).toContain("1 was given");
    expect(d.labels[0]).toMatchObject({ line: 6, column: 6 });
  });

  it("E0205 names the missing path parameter", () => {
    const d = only(`server {
  fn get_user(name) { name }
  route GET "/users/:id" => get_user
}`);
    expect(d.message).toContain("`id`");
    expect(d.labels[0]).toMatchObject({ line: 2, column: 6 });
  });

  it("E0301 names both blocks and labels the first claim", () => {
    const d = only(`server "a" {
  port 3001
}
server "b" {
  port 3001
}`);
    expect(d.message).toContain("3001");
    expect(d.message).toContain('server "a"');
    expect(d.message).toContain('server "b"');
    expect(d.labels[0]).toMatchObject({ line: 2, column: 3 });
  });

  it("E0304 suggests the known breaker key", () => {
    const d = only(`server {
  discover "billing" at "http://localhost:4000" { treshold: 5 }
}`);
    expect(d.hint).toContain("did you mean `threshold`?");
  });

  it("E0310 names the shared variable", () => {
    const d = only(`server "a-b" {
  fn x() { 1 }
}
server "a_b" {
  fn y() { 2 }
}`);
    expect(d.message).toContain("PORT_A_B");
  });

  it("E0403 and E0404 carry the key path", () => {
    const wrong = only(`deploy "prod" {
  server: "root@example.com"
  domain: "example.com"
  instances: "two"
}`);
    expect(wrong.code).toBe("E0403");
    expect(wrong.message).toContain('deploy "prod".instances');
    const unknown = only(`deploy "prod" {
  server: "root@example.com"
  domain: "example.com"
  colour: "blue"
}`);
    expect(unknown.code).toBe("E0404");
    expect(unknown.message).toContain('deploy "prod".colour');
  });

  it("E0406 labels the first naming of the host; E0407 names the db statement, labels the hosts and points at PostgreSQL", () => {
    const twice = only(`deploy "prod" {
  server: ["root@web1", "root@web1"]
  domain: "example.com"
}`);
    expect(twice.message).toBe('deploy "prod".server: the host "root@web1" is named twice');
    expect(twice.labels[0]).toMatchObject({ line: 2, column: 12, message: "first named here" });
    const sqlite = only(`server "api" {
  db { path: "api.db" }
  model Note { text: String }
}
deploy "prod" {
  server: ["root@web1", "root@web2"]
  domain: "example.com"
}`);
    expect(sqlite.code).toBe("E0407");
    expect(sqlite.message).toBe('server "api" keeps its data in SQLite (api.db), but deploy "prod" goes to 2 hosts: each host would have a file of its own');
    expect(sqlite.labels[0]).toMatchObject({ line: 6, column: 11, message: 'deploy "prod" goes to 2 hosts here' });
    expect(sqlite.hint).toContain('db { adapter: "postgres" }');
    // One host keeps SQLite; PostgreSQL with several hosts is fine.
    expect(diagnose(`server {\n  db { path: "app.db" }\n  model Note { text: String }\n}\ndeploy "prod" {\n  server: ["root@web1"]\n  domain: "example.com"\n}`)).toEqual([]);
    expect(diagnose(`server {\n  db { adapter: "postgres" }\n  model Note { text: String }\n}\ndeploy "prod" {\n  server: ["root@web1", "root@web2"]\n  domain: "example.com"\n}`)).toEqual([]);
  });

  it("W0001 and W0002 are warnings, not errors", () => {
    const w1 = only(`server {
  fn signup(name) {
    publish("user_created", { name })
  }
}`);
    expect(w1.severity).toBe("warning");
    expect(w1.message).toContain("user_created");
    expect(only(`server {
  ...
}`).severity).toBe("warning");
  });
});

/** Valid programs that are easy to get wrong: no diagnostic at all. */
const clean: { name: string; src: Files }[] = [
  {
    name: "rebinding a name shadows it inside a function",
    src: `fn next_value() {
  x = 1
  x = x + 1
  x
}`,
  },
  {
    name: "a var assigned inside a nested try and a lambda",
    src: `fn total_of(xs) {
  var total = 0
  try {
    xs |> each(fn(n) { total += n })
    if total > 100 {
      total = 100
    }
  } catch err {
    total = -1
  }
  total
}`,
  },
  {
    name: "a model and a plain-data var of another server block, read",
    src: `server "collector" {
  db { path: "metrics.db" }
  model MetricRecord { service: String, value: Float }
  var services_to_monitor = [{ name: "api", url: "http://localhost:3001/health" }]
}
server "api" {
  fn report() {
    { metrics: MetricRecord.count(), services: len(services_to_monitor) }
  }
}`,
  },
  {
    name: "discover of a service outside the application, with any method",
    src: `server {
  discover "payments" at "https://payments.example.com" with {
    health: "/health",
    failure_threshold: 3,
    reset_timeout: 30.seconds,
    half_open_requests: 1
  }
  fn charge(amount) {
    payments.charge_card(amount, "usd")
  }
  fn refund(id) {
    payments.refunds.create(id)
  }
}`,
  },
  {
    name: "server.f() from a client when exactly one server block defines f",
    src: `server "api" {
  fn get_users() { [] }
}
server "worker" {
  fn cleanup() { 0 }
}
client {
  state users = []
  effect {
    users = server.get_users()
  }
}`,
  },
  {
    name: "a match with a `_` arm",
    src: `type Severity { Info, Warning, Critical }
fn label(s) {
  match s {
    Critical => "page someone"
    _ => "log it"
  }
}`,
  },
  {
    name: "a guarded Some arm followed by Some(_) and None",
    src: `fn describe(o) {
  match o {
    Some(x) if x > 10 => "big"
    Some(_) => "small"
    None => "none"
  }
}`,
  },
  {
    name: "every variant of an enum, qualified or not, and Ok/Err",
    src: `type Severity { Info, Warning, Critical }
fn rank(s) {
  match s {
    Severity.Info => 0
    Warning => 1
    Critical => 2
  }
}
fn unwrap(r) {
  match r {
    Ok(v) => v
    Err(e) => e
  }
}`,
  },
  {
    name: "a (req, res) lambda route with a path parameter",
    src: `server {
  route POST "/a/:id" => fn(req, res) {
    res.json({ id: req.params.id })
  }
}`,
  },
  {
    name: "a named route handler taking the path parameter",
    src: `server {
  fn get_user(id: Int) { { id } }
  route GET "/users/:id" => get_user
}`,
  },
  {
    name: "env PORT with a default",
    src: `server {
  env PORT: Int = 3001
  env ALERT_WEBHOOK: Option<String> = None
  env RETENTION_HOURS: Int = 24
  fn cutoff() { Date.now() - RETENTION_HOURS.hours }
}`,
  },
  {
    name: "a deploy block with every property of deploy-blocks.md",
    src: `server {
  db { type: "postgres" }
  fn ping() { "pong" }
}
deploy "prod" {
  server: "root@159.65.100.42"
  domain: "myapp.com"
  instances: 2
  memory: "512mb"
  branch: "main"
  health: "/healthz"
  health_interval: 30
  health_timeout: 5
  restart_on_failure: true
  keep_releases: 5
  env {
    NODE_ENV: "production"
  }
  db {
    postgres { name: "myapp_prod", port: 5433 }
    redis { maxmemory: "256mb" }
  }
}`,
  },
  {
    name: "a published event with a subscriber in another server block",
    src: `server "api" {
  fn signup(name) {
    emit "user_created" { name: name }
  }
}
server "mailer" {
  subscribe "user_created" fn(data) {
    print(data.name)
  }
}`,
  },
  {
    name: "spawn_job of a background fn with the right arguments",
    src: `server {
  background fn send_email(to, subject) { print(to) }
  fn signup(email) { spawn_job(send_email, email, "welcome") }
}`,
  },
  {
    name: "a peer call with the right arguments, and a block merged across files",
    src: {
      "a.tova": `server "api" {
  discover "events" at "http://localhost:3002"
  fn create_user(name: String) {
    events.push_event("user_created", name)
  }
}`,
      "b.tova": `server "events" {
  fn push_event(event_type: String, data: String) {
    print(event_type)
  }
}
server "api" {
  fn ping() { "pong" }
}`,
    },
  },
  {
    name: "block words used as ordinary names",
    src: `fn f() {
  route = "/a"
  model = 1
  state = { ok: true }
  [route, model, state]
}`,
  },
  {
    name: "a server var changed by a function of its own block",
    src: `server {
  var hits = 0
  fn hit() {
    hits += 1
    hits = hits + 1
    hits
  }
}`,
  },
  {
    name: "a client state changed from an event handler and an effect",
    src: `server {
  fn get_users() { [] }
}
client {
  state users = []
  state clicks = 0
  computed total = len(users)
  effect {
    users = server.get_users()
  }
  component App {
    <div>
      <button on:click={fn() clicks += 1}>more</button>
      <ul>
        for user in users {
          <li>{user.name}</li>
        }
      </ul>
      <p>{total} users, {clicks} clicks</p>
    </div>
  }
}`,
  },
  {
    name: "a top-level function and route make a one-server program",
    src: `fn health() { { status: "ok" } }
route GET "/health" => health`,
  },
  {
    name: "a model taking its fields from a shared type, used through its accessor",
    src: `shared {
  type User { id: Int, name: String, email: String }
}
server "api" {
  db { path: "./data.db" }
  model User
  fn get_users() -> [User] { UserModel.all() }
  fn create_user(name: String, email: String) -> User {
    UserModel.create({ name, email })
  }
}`,
  },
  {
    name: "interpolation with nested strings, pipes and implicit lambdas",
    src: `rows = [{ id: 1, active: true }, { id: nil, active: false }]
active = rows |> filter(.active == true) |> map(.id)
label = "{active |> map(fn(x) "#{x}") |> join(", ")} of {len(rows)}"
for i, row in rows {
  print("{i}: {row.id ?? "none"}")
}`,
  },
  {
    name: "a Bool match with both arms and a literal match with a binding arm",
    src: `fn yes(b) {
  match b {
    true => "yes"
    false => "no"
  }
}
fn size(n) {
  match n {
    0 => "none"
    1..10 => "few"
    other => "many: {other}"
  }
}`,
  },
];

describe("tricky valid programs stay clean", () => {
  it.each(clean)("$name", ({ src }) => {
    expect(codesAt(src)).toEqual([]);
  });
});

it("has at least 45 error cases", () => {
  expect(cases.length).toBeGreaterThanOrEqual(45);
});
