// Signals, the RPC client, and that the DOM part loads without a document.
import { afterEach, describe, expect, it, vi } from "vitest";
import { computed, effect, h, mount, rpcClient, signal } from "./index.js";

describe("signals", () => {
  it("computed values follow the signals they read, lazily", () => {
    const count = signal(1);
    let runs = 0;
    const double = computed(() => (runs++, count.value * 2));
    expect(runs).toBe(0);
    expect(double.value).toBe(2);
    expect(double.value).toBe(2);
    expect(runs).toBe(1);
    count.value = 5;
    expect(double.value).toBe(10);
  });

  it("effects run now and after each change, once per write, seeing consistent values", () => {
    const first = signal("Ada");
    const last = signal("Lovelace");
    const full = computed(() => `${first.value} ${last.value}`);
    const seen: string[] = [];
    effect(() => seen.push(`${full.value} (${first.value.length})`));
    first.value = "Augusta";
    first.value = "Augusta"; // unchanged: no run
    last.value = "King";
    expect(seen).toEqual(["Ada Lovelace (3)", "Augusta Lovelace (7)", "Augusta King (7)"]);
  });

  it("effects stop depending on signals they no longer read", () => {
    const flag = signal(true);
    const a = signal(0);
    let runs = 0;
    effect(() => {
      runs++;
      if (flag.value) void a.value;
    });
    flag.value = false;
    a.value = 1;
    expect(runs).toBe(2);
  });
});

describe("rpcClient", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("POSTs {__args} to /rpc/<name> and resolves to the result", async () => {
    const fetch = vi.fn(async () => new Response(JSON.stringify({ result: { ok: 1 } })));
    vi.stubGlobal("fetch", fetch);
    const server = rpcClient<{ get_alerts(active: boolean | null): Promise<{ ok: number }> }>();
    expect(await server.get_alerts(true)).toEqual({ ok: 1 });
    expect(fetch).toHaveBeenCalledWith("/rpc/get_alerts", expect.objectContaining({ method: "POST", body: '{"__args":[true]}' }));
  });

  it("rejects with the status, error and parameter of a failed call", async () => {
    vi.stubGlobal("fetch", async () => new Response(JSON.stringify({ error: "missing", param: "id" }), { status: 400 }));
    const server = rpcClient<{ f(): Promise<unknown> }>();
    await expect(server.f()).rejects.toMatchObject({ status: 400, error: "missing", param: "id" });
  });

  it("is not a thenable", async () => {
    const server = rpcClient<Record<string, () => Promise<unknown>>>();
    expect((server as { then?: unknown }).then).toBeUndefined();
  });
});

describe("DOM builder without a document (on the server)", () => {
  it("loads; mount does nothing and h says why it cannot build an element", () => {
    expect(() => mount(() => ({}) as Node)).not.toThrow();
    expect(() => h("div", null)).toThrow(/no document/);
    expect(h((props: { children: unknown[] }) => props.children as unknown as Node, null, "a")).toEqual(["a"]);
  });
});
