// The pieces of uploads and the headers layer that need no server: content
// sniffing, the multipart parser (cut into chunks at every position, so a
// delimiter split across reads is still found), `If-None-Match` comparison.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { isUploadedFile } from "../../schema/file.js";
import { etagMatches } from "../layers/headers.js";
import { TooLarge } from "./body.js";
import { FormError, readForm, type Form, type PartKind } from "./multipart.js";
import { magicType, Sniffer, typeAllowed } from "./sniff.js";

const PNG = Buffer.from("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a5d3a4e80000000049454e44ae426082", "hex");
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46, 0, 1]);

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(path.join(tmpdir(), "tova-uploads-unit-"));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe("sniffing", () => {
  it("recognises the common binary types by their magic bytes", () => {
    expect(magicType(PNG)).toBe("image/png");
    expect(magicType(JPEG)).toBe("image/jpeg");
    expect(magicType(Buffer.from("GIF89a....."))).toBe("image/gif");
    expect(magicType(Buffer.from("RIFF\0\0\0\0WEBPVP8 "))).toBe("image/webp");
    expect(magicType(Buffer.from("%PDF-1.7\n"))).toBe("application/pdf");
    expect(magicType(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14]))).toBe("application/zip");
    expect(magicType(Buffer.from("hello"))).toBe(null);
  });

  const sniff = (data: Buffer | string, declared: string, chunk = 3) => {
    const s = new Sniffer();
    const bytes = Buffer.from(data);
    for (let i = 0; i < bytes.length; i += chunk) s.push(bytes.subarray(i, i + chunk));
    return s.type(declared);
  };

  it("calls UTF-8 text without control characters text, even split inside a character", () => {
    expect(sniff("héllo wörld\n", "text/plain")).toBe("text/plain");
    expect(sniff("a,b\n1,2\n", "text/csv")).toBe("text/csv");
    expect(sniff("plain", "image/png")).toBe("text/plain");
  });

  it("does not call markup, binary or broken UTF-8 plain text", () => {
    expect(sniff("<html><script>alert(1)</script>", "text/plain")).toBe("text/html");
    expect(sniff("  <svg xmlns='http://www.w3.org/2000/svg'/>", "image/png")).toBe("image/svg+xml");
    expect(sniff(Buffer.from([0x61, 0x00, 0x62]), "text/plain")).toBe(null);
    expect(sniff(Buffer.from([0x61, 0xc3]), "text/plain")).toBe(null); // cut-off character at the end
    expect(sniff(Buffer.from([0xff, 0xfe, 0x41]), "text/plain")).toBe(null);
  });

  it("allows exact types and family wildcards", () => {
    expect(typeAllowed("image/png", ["image/*"])).toBe(true);
    expect(typeAllowed("image/png", ["image/jpeg"])).toBe(false);
    expect(typeAllowed("application/pdf", ["image/*", "application/pdf"])).toBe(true);
  });
});

describe("If-None-Match", () => {
  it("matches weakly, in lists and with *", () => {
    expect(etagMatches('"a"', '"a"')).toBe(true);
    expect(etagMatches('W/"a"', '"a"')).toBe(true);
    expect(etagMatches('"b", "a"', 'W/"a"')).toBe(true);
    expect(etagMatches("*", '"x"')).toBe(true);
    expect(etagMatches('"b"', '"a"')).toBe(false);
    expect(etagMatches('"ab"', '"a"')).toBe(false);
  });
});

// ------------------------------------------------------------------ multipart

interface Part {
  name: string;
  filename?: string;
  type?: string;
  data: string | Buffer;
}
const BOUNDARY = "----tova-test-boundary";
function body(parts: Part[]): Buffer {
  const pieces: Buffer[] = [Buffer.from("preamble to ignore\r\n")];
  for (const p of parts) {
    const disposition = `form-data; name="${p.name}"${p.filename !== undefined ? `; filename="${p.filename}"` : ""}`;
    pieces.push(Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: ${disposition}\r\n${p.type ? `Content-Type: ${p.type}\r\n` : ""}\r\n`), Buffer.from(p.data), Buffer.from("\r\n"));
  }
  pieces.push(Buffer.from(`--${BOUNDARY}--\r\n`));
  return Buffer.concat(pieces);
}
function request(data: Buffer, chunk: number): Request {
  let at = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (at >= data.length) return controller.close();
      controller.enqueue(new Uint8Array(data.subarray(at, at + chunk)));
      at += chunk;
    },
  });
  return new Request("http://x/upload", { method: "POST", body: stream, headers: { "content-type": `multipart/form-data; boundary=${BOUNDARY}` }, duplex: "half" } as RequestInit);
}
const KINDS = new Map<string, PartKind>([
  ["title", "field"],
  ["n", "field"],
  ["image", "file"],
  ["docs", "files"],
]);
const config = (dir: string, allowed: string[] | null = ["image/png", "text/plain"], maxSize = 1024) => ({ maxSize, allowed, dir });

describe("readForm", () => {
  const parts: Part[] = [
    { name: "title", data: "a title with --dashes and \r\n a newline" },
    { name: "image", filename: "../../x.png", type: "image/png", data: PNG },
    { name: "docs", filename: "a.txt", type: "text/plain", data: "one" },
    { name: "docs", filename: "b.txt", type: "text/plain", data: `--${BOUNDARY.slice(0, 10)} almost a boundary` },
  ];

  it("gives the same fields and files whatever the chunk size (1 byte to the whole body)", async () => {
    const data = body(parts);
    for (const chunk of [1, 2, 3, 7, 16, 41, 64, 1000, data.length]) {
      const dir = tempDir();
      const form = (await readForm(request(data, chunk), KINDS, config(dir), 1 << 20)) as Form;
      expect(form, `chunk ${chunk}`).not.toBeInstanceOf(FormError);
      expect(form.fields.get("title")).toEqual([parts[0]!.data]);
      const image = form.files.get("image")![0]!;
      expect(isUploadedFile(image)).toBe(true);
      expect({ name: image.name, type: image.type, size: image.size }).toEqual({ name: "x.png", type: "image/png", size: PNG.length });
      expect(form.files.get("docs")!.map((f) => f.name)).toEqual(["a.txt", "b.txt"]);
      // Not yet accepted: only hidden temporary files, none at the final paths.
      expect(readdirSync(dir).every((f) => f.startsWith(".upload-"))).toBe(true);
      expect(existsSync(image.path)).toBe(false);
      form.batch.commit();
      expect(readFileSync(image.path)).toEqual(PNG);
      expect(path.dirname(image.path)).toBe(dir);
      expect(path.basename(image.path)).toMatch(/^[0-9a-f-]{36}\.png$/);
      expect(readFileSync(form.files.get("docs")![1]!.path, "utf8")).toBe(parts[3]!.data);
      form.batch.discard();
      expect(readdirSync(dir)).toEqual([]);
    }
  });

  it.each([
    ["an unknown part name", [{ name: "other", data: "x" }], 400, "other"],
    ["a file for a field", [{ name: "title", filename: "t.txt", type: "text/plain", data: "x" }], 400, "title"],
    ["a field for a file", [{ name: "image", data: "x" }], 400, "image"],
    ["two files for one File", [{ name: "image", filename: "a.png", type: "image/png", data: PNG }, { name: "image", filename: "b.png", type: "image/png", data: PNG }], 400, "image"],
    ["a disguised type", [{ name: "image", filename: "a.png", type: "image/png", data: JPEG }], 415, "image"],
    ["an allowed content with a declared type outside the list", [{ name: "image", filename: "a.sh", type: "application/x-sh", data: PNG }], 415, "image"],
  ] as [string, Part[], number, string][])("refuses %s (%i) and leaves nothing on disk", async (_label, bad, status, param) => {
    const dir = tempDir();
    const data = body([{ name: "image", filename: "ok.png", type: "image/png", data: PNG }, ...bad].slice(bad[0]!.name === "image" ? 1 : 0));
    const r = await readForm(request(data, 5), KINDS, config(dir), 1 << 20);
    expect(r).toBeInstanceOf(FormError);
    expect((r as FormError).status).toBe(status);
    expect((r as FormError).param).toBe(param);
    expect(readdirSync(dir)).toEqual([]);
  });

  it("cuts off a file over max_size and fields over the field limit (TooLarge), nothing on disk", async () => {
    const dir = tempDir();
    const big = await readForm(request(body([{ name: "image", filename: "a.png", type: "image/png", data: Buffer.concat([PNG, Buffer.alloc(4096)]) }]), 100), KINDS, config(dir), 1 << 20);
    expect(big).toBeInstanceOf(TooLarge);
    const fields = await readForm(request(body([{ name: "title", data: "x".repeat(2000) }]), 100), KINDS, config(dir), 1000);
    expect(fields).toBeInstanceOf(TooLarge);
    expect(readdirSync(dir)).toEqual([]);
  });

  it("refuses a body that ends before its closing boundary", async () => {
    const dir = tempDir();
    const data = body([{ name: "image", filename: "a.png", type: "image/png", data: PNG }]);
    const r = await readForm(request(data.subarray(0, data.length - 10), 7), KINDS, config(dir), 1 << 20);
    expect(r).toBeInstanceOf(FormError);
    expect(readdirSync(dir)).toEqual([]);
  });

  it("without allowed_types takes any content, typed by what it shows", async () => {
    const dir = tempDir();
    const form = (await readForm(request(body([{ name: "image", filename: "blob", type: "application/x-whatever", data: Buffer.from([1, 2, 3, 0]) }]), 3), KINDS, config(dir, null), 1 << 20)) as Form;
    expect(form.files.get("image")![0]!.type).toBe("application/octet-stream");
    form.batch.discard();
  });
});
