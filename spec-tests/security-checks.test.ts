import { describe, expect, it } from "vitest";
import { codesAt, diagnose } from "./helpers.js";
import { UPLOAD_TYPES } from "../ir/settings.js";

/**
 * security.md: "a statement that the program declares is enforced, or the
 * program does not compile". Each misuse is one diagnostic, `CODE line:col`,
 * and the message names the key path. Programs are template literals whose
 * first line starts right after the backtick.
 */
const cases: { name: string; src: string; expected: string; message?: RegExp }[] = [
  {
    name: "an unknown part of the security block, with the nearest one",
    src: `security {
  protec "/api/*" { require: authenticated }
}`,
    expected: "E0501 2:3",
    message: /security\.protec: unknown part/,
  },
  {
    name: "an unknown setting of auth jwt, named by its key path",
    src: `security {
  auth jwt { secret: env("JWT_SECRET"), expire: 1.day }
}`,
    expected: "E0501 2:41",
    message: /security\.auth jwt\.expire: unknown setting/,
  },
  {
    name: "a JWT secret written in the program",
    src: `security {
  auth jwt { secret: "hunter2" }
}`,
    expected: "E0502 2:22",
  },
  {
    name: "auth jwt without a secret",
    src: `security {
  auth jwt { expires: 1.day }
}`,
    expected: "E0507 2:3",
  },
  {
    name: "an auth form the runtime does not enforce",
    src: `security {
  auth oauth { provider: "github" }
}`,
    expected: "E0507 2:8",
  },
  {
    name: "require names a role no role declares",
    src: `security {
  auth jwt { secret: env("JWT_SECRET") }
  role Admin { can: [manage] }
  protect "/admin/*" { require: Admmin }
}`,
    expected: "E0503 4:33",
    message: /Admmin/,
  },
  {
    name: "a protect pattern that is not a path",
    src: `security {
  auth jwt { secret: env("JWT_SECRET") }
  protect "api/*" { require: authenticated }
}`,
    expected: "E0504 3:11",
  },
  {
    name: "a protect pattern with a * in the middle",
    src: `security {
  auth jwt { secret: env("JWT_SECRET") }
  protect "/api/*/admin" { require: authenticated }
}`,
    expected: "E0504 3:11",
  },
  {
    name: "protect without require",
    src: `security {
  auth jwt { secret: env("JWT_SECRET") }
  protect "/api/*" { }
}`,
    expected: "E0507 3:3",
  },
  {
    name: "origins [\"*\"] with credentials in the security block",
    src: `security {
  cors { origins: ["*"], credentials: true }
}`,
    expected: "E0505 2:19",
  },
  {
    name: "origins [\"*\"] with credentials as a server statement",
    src: `server {
  cors { origins: ["*"], credentials: true }
}`,
    expected: "E0505 2:19",
  },
  {
    name: "an unknown cors setting",
    src: `server {
  cors { origins: ["https://a.example"], credential: true }
}`,
    expected: "E0501 2:42",
    message: /cors\.credential: unknown setting/,
  },
  {
    name: "rate_limit without a window",
    src: `server {
  rate_limit { requests: 10 }
}`,
    expected: "E0507 2:3",
  },
  {
    name: "rate_limit with a requests count that is not a positive whole number",
    src: `server {
  rate_limit { requests: 0, window: 1.minute }
}`,
    expected: "E0506 2:26",
  },
  {
    name: "rate_limit's key that is not a function",
    src: `server {
  rate_limit { requests: 10, window: 1.minute, key: "ip" }
}`,
    expected: "E0506 2:53",
  },
  {
    name: "a session secret written in the program",
    src: `server {
  sessions { secret: "s3cret", max_age: 7.days }
}`,
    expected: "E0502 2:22",
  },
  {
    name: "same_site that is not lax, strict or none",
    src: `server {
  sessions { secret: env("SESSION_SECRET"), same_site: "sometimes" }
}`,
    expected: "E0506 2:56",
  },
  {
    name: "tls without its key",
    src: `server {
  tls { cert: "cert.pem" }
}`,
    expected: "E0507 2:3",
  },
  {
    name: "an uploads size that is text",
    src: `server {
  uploads { max_size: "10mb" }
}`,
    expected: "E0506 2:23",
  },
  {
    name: "trust_proxy that is a number",
    src: `security {
  trust_proxy 1
}`,
    expected: "E0506 2:15",
  },
  {
    name: "a security statement declared twice in one server",
    src: `server {
  cors { origins: ["https://a.example"] }
  cors { origins: ["https://b.example"] }
}`,
    expected: "E0103 3:3",
  },
  {
    name: "a model created without a field that is not an Option",
    src: `server {
  model Item { name: String, qty: Int, note: Option<String> }
  fn add(name: String) -> Item { Item.create({ name: name }) }
}`,
    expected: "E0202 3:46",
    message: /missing field `qty` in `Item.create`/,
  },
  {
    name: "an upload type the runtime cannot recognise from a file's content",
    src: `server {
  uploads { allowed_types: ["image/png", "audio/mpeg"] }
}`,
    expected: "E0507 2:42",
  },
  {
    name: "two auth parts",
    src: `security {
  auth jwt { secret: env("A") }
  auth api_key { keys: env("KEYS") }
}`,
    expected: "E0103 3:3",
  },
];

describe("security misuse is a compile error with its key path", () => {
  for (const c of cases) {
    it(c.name, () => {
      expect(codesAt(c.src)).toEqual([c.expected]);
      if (c.message) expect(diagnose(c.src)[0]!.message).toMatch(c.message);
    });
  }

  it("the compiler's list of upload types is the runtime's", async () => {
    const { UPLOAD_TYPES: runtime } = await import("../runtime/server/uploads/sniff.js");
    expect([...UPLOAD_TYPES].sort()).toEqual(Object.keys(runtime).sort());
  });

  it("the security block of security.md checks with nothing but the bare permission names being names", () => {
    const src = `security {
  auth jwt {
    secret: env("JWT_SECRET")
    expires: 1.day
  }
  role Admin { can: [manage_users, view_reports] }
  role Member { can: [view_reports] }
  protect "/api/admin/*" { require: Admin }
  protect "/api/*" { require: authenticated }
  protect "/rpc/*" { require: authenticated }
  cors {
    origins: ["https://app.example.org"]
    credentials: true
  }
  rate_limit { requests: 300, window: 1.minute }
  trust_proxy true
}`;
    expect(codesAt(src)).toEqual([]);
  });

  it("scaling.md's security statements check clean", () => {
    const src = `server {
  cors {
    origins: env("ALLOWED_ORIGINS") |> split(","),
    methods: ["GET", "POST", "PUT", "DELETE"],
    credentials: true,
    max_age: 86400
  }
  rate_limit {
    requests: 1000,
    window: 1.hour,
    key: fn(req) req.headers["x-api-key"] |> unwrapOr(req.ip)
  }
  tls {
    cert: env("TLS_CERT"),
    key: env("TLS_KEY")
  }
  sessions {
    secret: env("SESSION_SECRET"),
    max_age: 7.days,
    secure: true,
    http_only: true,
    same_site: "strict"
  }
  max_body 5.megabytes
  uploads {
    max_size: 10.megabytes,
    allowed_types: ["image/png", "image/jpeg", "application/pdf"]
  }
}`;
    expect(codesAt(src)).toEqual([]);
  });
});
