// The headers and CORS layers in process, on fetch Requests and Responses:
// the cases a real server rarely shows (a Response with immutable headers, an
// inner fetch that answers asynchronously, TLS URLs).
import { describe, expect, it } from "vitest";
import { corsLayer } from "./cors.js";
import { headersLayer, HSTS } from "./headers.js";

const run = async (layer: ReturnType<typeof headersLayer>, inner: (req: Request) => Response | Promise<Response>, req: Request) => layer(inner)(req, null);

describe("headersLayer", () => {
  it("decorates a Response whose headers are immutable (copied), sync or async", async () => {
    const immutable = () => Response.redirect("http://x/elsewhere", 302);
    expect(() => immutable().headers.set("a", "b")).toThrow();
    for (const inner of [immutable, async () => immutable()]) {
      const res = await run(headersLayer(), inner, new Request("http://x/"));
      expect(res.status).toBe(302);
      expect(res.headers.get("location")).toBe("http://x/elsewhere");
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      expect(res.headers.get("x-frame-options")).toBe("DENY");
      expect(res.headers.get("referrer-policy")).toBe("no-referrer");
    }
  });

  it("adds HSTS over TLS or behind a proxy that says https, not over plain HTTP", async () => {
    const ok = () => Response.json({});
    expect((await run(headersLayer({ tls: true }), ok, new Request("https://x/"))).headers.get("strict-transport-security")).toBe(HSTS);
    expect((await run(headersLayer(), ok, new Request("http://x/", { headers: { "x-forwarded-proto": "https" } }))).headers.get("strict-transport-security")).toBe(HSTS);
    expect((await run(headersLayer(), ok, new Request("http://x/"))).headers.get("strict-transport-security")).toBe(null);
  });

  it("answers 304 for a matching If-None-Match on GET/HEAD 200s only", async () => {
    const tagged = () => new Response("body", { headers: { etag: '"v1"', "content-type": "text/plain" } });
    const get = await run(headersLayer(), tagged, new Request("http://x/", { headers: { "if-none-match": '"v1"' } }));
    expect(get.status).toBe(304);
    expect(await get.text()).toBe("");
    expect(get.headers.get("etag")).toBe('"v1"');
    const post = await run(headersLayer(), tagged, new Request("http://x/", { method: "POST", headers: { "if-none-match": '"v1"' } }));
    expect(post.status).toBe(200);
  });

  it("sets the cache default only where no Cache-Control is set, on successful GETs", async () => {
    const layer = headersLayer({ cacheDefault: "public, max-age=60" });
    expect((await run(layer, () => Response.json({}), new Request("http://x/"))).headers.get("cache-control")).toBe("public, max-age=60");
    expect((await run(layer, () => new Response("", { headers: { "cache-control": "no-store" } }), new Request("http://x/"))).headers.get("cache-control")).toBe("no-store");
    expect((await run(layer, () => Response.json({}, { status: 404 }), new Request("http://x/"))).headers.get("cache-control")).toBe(null);
  });
});

describe("corsLayer", () => {
  const layer = corsLayer({ origins: "https://a.example", credentials: true });
  it("takes one origin as a string and echoes it on async answers", async () => {
    const res = await layer(async () => Response.json({}))(new Request("http://x/", { headers: { origin: "https://a.example" } }), null);
    expect(res.headers.get("access-control-allow-origin")).toBe("https://a.example");
    expect(res.headers.get("vary")).toBe("Origin");
  });

  it("removes a CORS header the handler set for an origin that is not allowed", async () => {
    const res = await layer(() => new Response("", { headers: { "access-control-allow-origin": "*" } }))(new Request("http://x/", { headers: { origin: "https://evil.example" } }), null);
    expect(res.headers.get("access-control-allow-origin")).toBe(null);
  });

  it("with origins *, answers * and does not vary", async () => {
    const any = corsLayer({ origins: ["*"] });
    const res = await any(() => Response.json({}))(new Request("http://x/", { headers: { origin: "https://b.example" } }), null);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(res.headers.get("vary")).toBe(null);
  });

  it("passes OPTIONS that is not a preflight to the app", async () => {
    const res = await layer(() => new Response(null, { status: 405 }))(new Request("http://x/", { method: "OPTIONS" }), null);
    expect(res.status).toBe(405);
  });
});
