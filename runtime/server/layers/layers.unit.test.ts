// The headers and CORS layers in process, on fetch Requests and Responses:
// the cases a real server rarely shows (a Response with immutable headers, an
// inner fetch that answers asynchronously, TLS URLs).
import { describe, expect, it } from "vitest";
import { corsLayer } from "./cors.js";
import { defaultHeaders, headersLayer, HSTS, prepared, preparedPromise } from "./headers.js";

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

describe("answers built with the default headers (the pipeline's)", () => {
  const defaults = defaultHeaders();
  it("hands out the headers the layer sets, with HSTS where the layer would add it", () => {
    const plain = new Headers(defaults.for(new Request("http://x/")));
    expect(Object.fromEntries(plain)).toEqual({ "x-content-type-options": "nosniff", "x-frame-options": "DENY", "referrer-policy": "no-referrer" });
    expect(defaults.for(new Request("http://x/", { headers: { "x-forwarded-proto": "https" } })).get("strict-transport-security")).toBe(HSTS);
    expect(defaultHeaders({ tls: true }).for(new Request("http://x/")).get("strict-transport-security")).toBe(HSTS);
    // Copied by the Response: changing one answer's headers leaves the shared object alone.
    const res = Response.json({}, { headers: defaults.for(new Request("http://x/")) });
    res.headers.set("x-frame-options", "changed");
    expect(defaults.for(new Request("http://x/")).get("x-frame-options")).toBe("DENY");
  });

  it("a prepared Response is not decorated again; an unprepared one is, sync or async", async () => {
    // Prepared without the headers on purpose: the layer trusts the mark and sets nothing.
    const bare = await run(headersLayer(), () => prepared(Response.json({})), new Request("http://x/", { method: "POST" }));
    expect(bare.headers.get("x-frame-options")).toBe(null);
    const plain = await run(headersLayer(), async () => Response.json({}), new Request("http://x/", { method: "POST" }));
    expect(plain.headers.get("x-frame-options")).toBe("DENY");
  });

  it("passes a prepared promise on as it is (no .then); any other promise is decorated", async () => {
    const answer = preparedPromise(Promise.resolve(defaults.apply(new Request("http://x/"), Response.redirect("http://x/elsewhere", 302))));
    const req = new Request("http://x/", { method: "POST" });
    expect(headersLayer()(() => answer)(req, null)).toBe(answer);
    const res = await answer;
    expect(res.headers.get("x-frame-options")).toBe("DENY"); // `apply` copied the immutable redirect to set them
    expect(res.headers.get("location")).toBe("http://x/elsewhere");
    const other = Promise.resolve(new Response("x"));
    const out = headersLayer()(() => other)(req, null);
    expect(out).not.toBe(other);
    expect((await out).headers.get("referrer-policy")).toBe("no-referrer");
  });

  it("still applies the cache default and 304 to a prepared GET answer", async () => {
    const layer = headersLayer({ cacheDefault: "public, max-age=60" });
    const ok = () => prepared(Response.json({}, { headers: defaults.for(new Request("http://x/")) }));
    expect((await run(layer, ok, new Request("http://x/"))).headers.get("cache-control")).toBe("public, max-age=60");
    const tagged = () => prepared(new Response("b", { headers: { etag: '"v1"' } }));
    expect((await run(layer, tagged, new Request("http://x/", { headers: { "if-none-match": '"v1"' } }))).status).toBe(304);
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
