// The starter programs of `tova new` (cli/new.ts). Each is a program a
// person would write to begin with: commented, checked without a diagnostic
// (spec-tests/new.test.ts), and answering the first request its README shows.

export const TEMPLATES = ["api", "fullstack", "services"] as const;
export type Template = (typeof TEMPLATES)[number];

interface Starter {
  /** What the template is, for the README's first line and `tova new --help`. */
  summary: string;
  program: string;
  /** The README's "try it" lines: requests against the running program. */
  tryIt: string[];
  /** How to run it in development. */
  dev: string;
  env: string[];
}

const deployBlock = (name: string) => `
// Deploying: fill in the server and the domain, uncomment, then \`tova deploy prod\`.
// deploy "prod" {
//   server: "root@your-server"   // an SSH target (or a list of them)
//   domain: "${name}.example.com"
//   instances: 1
// }
`;

const API = (name: string): Starter => ({
  summary: "an HTTP API with one model on the embedded database (SQLite)",
  program: `// ${name}: an HTTP API with one model, on the embedded database (SQLite).

shared {
  // A type both the server and any client can use.
  type Note { id: Int, text: String, done: Bool }
}

server {
  // A SQLite file beside the server. For PostgreSQL: db { adapter: "postgres" } and DATABASE_URL.
  db { path: "${name}.db" }

  // A table of notes: NoteModel.create, all, where, find, update, delete, count.
  model Note

  fn list_notes() -> [Note] {
    NoteModel.all()
  }

  fn add_note(text: String) -> Result<Note, String> {
    if trim(text) == "" {
      Err("a note needs some text")
    } else {
      Ok(NoteModel.create({ text: trim(text), done: false }))
    }
  }

  fn finish_note(id: Int) -> Result<Note, String> {
    note = NoteModel.update(id, { done: true }) |> ok_or("no note {id}")!
    Ok(note)
  }

  route GET "/notes" => list_notes
  route POST "/notes" => add_note
  route POST "/notes/:id/done" => finish_note
}
${deployBlock(name)}`,
  tryIt: ["curl localhost:3000/notes", `curl -X POST localhost:3000/notes -H 'content-type: application/json' -d '{"text": "try Tova"}'`],
  dev: "tova dev app.tova",
  env: [],
});

const FULLSTACK = (name: string): Starter => ({
  summary: "a server with a model and a client page that talks to it",
  program: `// ${name}: a server and the page it serves. The client calls the server's
// functions as server.f(): the compiler makes the endpoint and the call.

shared {
  type Todo { id: Int, title: String, done: Bool }
}

server {
  db { path: "${name}.db" }

  model Todo

  fn list_todos() -> [Todo] {
    TodoModel.all()
  }

  fn add_todo(title: String) -> Result<Todo, String> {
    if trim(title) == "" {
      Err("a todo needs a title")
    } else {
      Ok(TodoModel.create({ title: trim(title), done: false }))
    }
  }

  route GET "/api/todos" => list_todos
}

client {
  state todos: [Todo] = []
  state draft = ""
  computed left = todos |> filter(fn(t) not t.done) |> len()

  // Runs once the page is up: the list from the server.
  effect {
    todos = server.list_todos()
  }

  fn add() {
    match server.add_todo(draft) {
      Ok(todo) => {
        todos = [...todos, todo]
        draft = ""
      }
      Err(_) => {}
    }
  }

  component App {
    <main>
      <h1>Todos ({left} left)</h1>
      <input bind:value={draft} placeholder="What next?" />
      <button onclick={add} disabled={draft == ""}>Add</button>
      <ul>
        for todo in todos key todo.id {
          <li>{todo.title}</li>
        }
      </ul>
    </main>
  }
}
${deployBlock(name)}`,
  tryIt: ["open http://localhost:3000/", "curl localhost:3000/api/todos"],
  dev: "tova dev app.tova",
  env: [],
});

const SERVICES = (name: string): Starter => ({
  summary: "two services: an api that calls a worker and sends it events",
  program: `// ${name}: two services, each its own process. The api calls the worker's
// functions (discover) and publishes events the worker subscribes to.

shared {
  type Task { name: String, priority: Int }
}

server "api" {
  // Where the worker answers; tova dev and tova deploy tell each process the real port.
  discover "worker" at "http://localhost:3001"

  fn submit(name: String, priority: Int) -> Result<Task, String> {
    if priority < 0 or priority > 9 {
      Err("priority is 0 to 9")
    } else {
      task = Task { name: name, priority: priority }
      publish("task_submitted", task)
      Ok(task)
    }
  }

  fn status() {
    worker.stats()
  }

  route POST "/tasks" => submit
  route GET "/status" => status
}

server "worker" {
  var done = 0

  fn stats() {
    { done: done }
  }

  // Delivered once to this service; with REDIS_URL set, durably (scale-out.md).
  subscribe "task_submitted" fn(task: Task) {
    print("working on {task.name} (priority {task.priority})")
    done += 1
  }
}
${deployBlock(name)}`,
  tryIt: ["curl localhost:3000/status", `curl -X POST localhost:3000/tasks -H 'content-type: application/json' -d '{"name": "resize images", "priority": 5}'`],
  dev: "tova dev app.tova",
  env: ["# With Redis, events and jobs are durable and shared by every instance (scale-out.md):", "# REDIS_URL=redis://localhost:6379"],
});

const STARTERS: Record<Template, (name: string) => Starter> = { api: API, fullstack: FULLSTACK, services: SERVICES };

/** The files of a new project, by path relative to its directory. */
export function starterFiles(name: string, template: Template): Record<string, string> {
  const s = STARTERS[template](name);
  const readme = `# ${name}

${s.summary[0]!.toUpperCase()}${s.summary.slice(1)}, written in Tova (\`app.tova\`).

## Run it

\`\`\`sh
${s.dev}
\`\`\`

Then, in another terminal:

\`\`\`sh
${s.tryIt.join("\n")}
\`\`\`

\`tova dev\` rebuilds and restarts on every save. \`tova check app.tova\` checks
the program without running it; \`tova build app.tova\` writes the TypeScript
it compiles to into \`.tova-out/\`.

## Deploy it

Fill in the \`deploy "prod"\` block at the end of \`app.tova\` (an SSH target you
can log in to as root, and a domain pointing at it), uncomment it, then:

\`\`\`sh
tova deploy prod
\`\`\`

\`tova deploy prod --plan\` shows what will be set up first, and
\`tova deploy prod --status\` how it runs afterwards.
`;
  return {
    "app.tova": s.program,
    "README.md": readme,
    ".gitignore": ".tova-out/\ndist/\n*.db\n*.db-shm\n*.db-wal\n.env\n.env.local\n.env.production\n",
    ".env.example": ["# Copy to .env for tova dev; values already in the environment win.", ...s.env, ""].join("\n"),
  };
}
