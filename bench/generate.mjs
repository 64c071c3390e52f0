/**
 * Generates a valid Tova application of about `targetLines` lines: a
 * `shared` block of types followed by a `server` block, repeated. Each unit
 * uses the constructs a real service does (language.md, named-blocks.md):
 * records and enums, bindings, pipes with lambdas, string interpolation, an
 * exhaustive `match`, if/elif/else, `var` with a loop, record construction,
 * a model over a shared type, RPC functions and routes with path parameters,
 * `.field` lambdas and a match over an Option.
 * Names of types and variants carry the unit's number: they share one scope.
 */
export function generateProgram(targetLines) {
  const parts = [];
  let lines = 0;
  for (let i = 0; lines < targetLines; i++) {
    const text = unit(i);
    parts.push(text);
    lines += text.split("\n").length;
  }
  return parts.join("\n");
}

function unit(i) {
  return `shared {
  type Item${i} { id: Int, name: String, active: Bool }
  type Color${i} { Red${i}, Green${i}, Blue${i} }
  type Shape${i} { Circle${i}(radius: Float), Rect${i}(w: Float, h: Float) }

  fn color_name${i}(c: Color${i}) -> String {
    match c {
      Red${i} => "red"
      Green${i} => "green"
      Blue${i} => "blue"
    }
  }
}

server "svc${i}" {
  db { path: "./svc${i}.db" }
  model Item${i}

  fn color_code(c: Color${i}) -> Int {
    match c { Red${i} => 1, Green${i} => 2, Blue${i} => 3 }
  }

  fn area(s: Shape${i}) -> Float {
    match s {
      Circle${i}(r) => 3.14159 * r * r
      Rect${i}(w, h) => w * h
    }
  }

  fn label(item: Item${i}) -> String {
    status = if item.active {
      "active"
    } elif item.id > 100 {
      "archived"
    } else {
      "inactive"
    }
    "Item #{item.id} {item.name} is {status}"
  }

  fn active_ids(xs: [Item${i}]) -> [Int] {
    xs |> filter(fn(x) x.active) |> map(fn(x) x.id)
  }

  fn active_names(xs: [Item${i}]) -> String {
    names = xs |> filter(fn(x) x.active) |> map(fn(x) upper(x.name))
    count = names |> len()
    "{count} active: {names |> join(", ")}"
  }

  fn total_ids(xs: [Item${i}]) -> Int {
    var total = 0
    for x in xs {
      if x.active {
        total += x.id
      }
    }
    total
  }

  fn first_active_name(xs: [Item${i}]) -> String {
    match xs |> filter(.active) |> first() {
      Some(x) => x.name
      None => "none"
    }
  }

  fn make_item(id: Int, name: String) -> Item${i} {
    trimmed = trim(name)
    active = id % 2 == 0
    Item${i} { id: id, name: trimmed, active: active }
  }

  fn get_item(id: Int) {
    item = make_item(id, "item {id}")
    shade = if id % 3 == 0 { Red${i} } elif id % 3 == 1 { Green${i} } else { Blue${i} }
    { item: item, label: label(item), color: color_name${i}(shade), code: color_code(shade) }
  }

  fn list_items() {
    rows = Item${i}Model.all()
    { ids: active_ids(rows), summary: active_names(rows), total: total_ids(rows) }
  }

  fn create_item(name: String) {
    Item${i}Model.create({ name: name, active: true })
  }

  route GET "/items" => list_items
  route GET "/items/:id" => get_item
  route POST "/items" => create_item
}
`;
}

/**
 * The shape issue 15 measured against the original implementation: one
 * `server` block of functions, each with an `if`/`elif` building an enum value
 * with a field, a `match` on it, a pipe through `map` and `filter` with
 * lambdas, string interpolation, and a route per function.
 */
export function generateFlatProgram(targetLines) {
  const head = `shared {
  type Level { Low(n: Int), Mid(n: Int), High(n: Int) }
}

server {`;
  const parts = [head];
  let lines = head.split("\n").length + 1;
  for (let i = 0; lines < targetLines; i++) {
    const text = flatFunction(i);
    parts.push(text);
    lines += text.split("\n").length;
  }
  parts.push("}\n");
  return parts.join("\n");
}

function flatFunction(i) {
  return `  fn f${i}(x: Int) -> String {
    level = if x < ${i % 50 + 1} {
      Low(x)
    } elif x < ${i % 500 + 100} {
      Mid(x + ${i})
    } else {
      High(x * 2)
    }
    score = match level {
      Low(n) => n
      Mid(n) => n * 2
      High(n) => n * 3
    }
    picked = [x, x + 1, x + ${i}] |> filter(fn(v) v % 2 == 0) |> map(fn(v) v * score)
    "f${i}: {score} from {x}, {len(picked)} picked"
  }
  route GET "/f${i}/:x" => f${i}
`;
}
