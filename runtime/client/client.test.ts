// Signals, the RPC client, and that the DOM part loads without a document.
import { afterEach, describe, expect, it, vi } from "vitest";
import { effect as preactEffect } from "@preact/signals-core";
import { batch, computed, effect, h, mount, rpcClient, signal } from "./index.js";

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

  it("batch applies a handler's writes together: a computed reading two states sees both", () => {
    const first = signal("Ada");
    const last = signal("Lovelace");
    const full = computed(() => `${first.value} ${last.value}`);
    const seen: string[] = [];
    const stop = preactEffect(() => void seen.push(full.value));
    batch(() => {
      first.value = "Augusta";
      last.value = "King";
    });
    stop();
    expect(seen).toEqual(["Ada Lovelace", "Augusta King"]);
  });

  it("a client block's effect waits for the page: without one (on the server) it never runs", () => {
    let runs = 0;
    effect(() => runs++);
    mount(() => null);
    expect(runs).toBe(0);
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
    // A component is called with its props (and children); what it gives needs a document only when it is nodes.
    expect(h((props: { label: () => string }) => props.label() as unknown as Node, { label: () => "a" })).toBe("a");
  });
});
