import net from "node:net";

/** A response read off the socket as the server sent it: repeated headers joined with ", " (so a header sent twice shows). */
export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  json: any;
}

/**
 * Sends exact bytes over a fresh connection (no client library to tidy a
 * hostile request up); resolves with the first response, rejects if the
 * connection ends without one.
 */
export function rawRequest(port: number, head: string, body: Buffer | string = "", host = "127.0.0.1"): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, host);
    let buf = Buffer.alloc(0);
    const done = (err: Error | null, r?: RawResponse) => {
      socket.destroy();
      if (err) reject(err);
      else resolve(r!);
    };
    socket.on("data", (d) => {
      buf = Buffer.concat([buf, d]);
      const end = buf.indexOf("\r\n\r\n");
      if (end === -1) return;
      const lines = buf.toString("latin1", 0, end).split("\r\n");
      const headers: Record<string, string> = {};
      for (const l of lines.slice(1)) {
        const i = l.indexOf(":");
        const k = l.slice(0, i).toLowerCase();
        headers[k] = k in headers ? `${headers[k]}, ${l.slice(i + 1).trim()}` : l.slice(i + 1).trim();
      }
      const status = Number(lines[0]!.split(" ")[1]);
      const length = Number(headers["content-length"] ?? 0);
      if (status !== 304 && status !== 204 && buf.length - end - 4 < length) return;
      const text = buf.toString("utf8", end + 4, end + 4 + length);
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      done(null, { status, headers, body: text, json });
    });
    socket.on("error", (e) => done(new Error(`no answer: ${e.message}`)));
    socket.on("end", () => done(new Error(`the connection ended without an answer (${JSON.stringify(buf.toString("latin1").slice(0, 80))})`)));
    socket.write(head);
    if (body.length) socket.write(body);
  });
}

/** A request head: the request line, `host`, then the headers given, each on its line. */
export function requestHead(method: string, target: string, headers: Record<string, string>): string {
  return `${method} ${target} HTTP/1.1\r\nhost: 127.0.0.1\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join("")}\r\n`;
}
