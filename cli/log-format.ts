import { styleText } from "node:util";

/**
 * How `tova dev` shows its servers' log lines. The runtime writes JSON lines
 * (`{"time","level","msg",...}`, runtime/server/log.ts); at a terminal each
 * becomes one readable line: time, the block in its colour, then for a
 * request its method, path, status coloured by class, duration and a short
 * request id, then any other fields as `key=value`. A line that is not a log
 * object (a `print`) passes through as it is.
 */

export type LogStyle = "pretty" | "json";

/** Colours on or off: NO_COLOR turns them off, FORCE_COLOR (not "0") on; otherwise on at a terminal. */
export function useColour(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env["FORCE_COLOR"] !== undefined && env["FORCE_COLOR"] !== "0") return true;
  if (env["NO_COLOR"] !== undefined && env["NO_COLOR"] !== "") return false;
  return stream.isTTY === true;
}

type Colour = Parameters<typeof styleText>[0];
const BLOCK_COLOURS: Colour[] = ["cyan", "magenta", "blue", "yellow", "green", "red"];

export class LogFormatter {
  private readonly colours = new Map<string, Colour>();

  constructor(private readonly colour: boolean) {}

  private paint(style: Colour, text: string): string {
    return this.colour ? styleText(style, text, { validateStream: false }) : text;
  }

  /** The block's colour: one per label, in the order they first log. */
  private label(label: string): string {
    const name = label.replace(/^server:?/, "") || "server";
    let c = this.colours.get(name);
    if (!c) this.colours.set(name, (c = BLOCK_COLOURS[this.colours.size % BLOCK_COLOURS.length]!));
    return this.paint(c, name);
  }

  format(label: string, line: string): string {
    let entry: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(line);
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed) || typeof (parsed as { msg?: unknown }).msg !== "string") throw new Error("not a log line");
      entry = parsed as Record<string, unknown>;
    } catch {
      return `${this.label(label)} ${line}`;
    }
    const { time, level, msg, method, path, status, duration_ms, request_id, service: _service, ...rest } = entry;
    const when = typeof time === "number" ? new Date(time).toISOString().slice(11, 23) : "";
    const parts = [this.paint("gray", when), this.label(label)];
    if (msg === "request" && typeof method === "string") {
      parts.push(this.paint("bold", method), String(path ?? ""), this.status(Number(status)));
      if (typeof duration_ms === "number") parts.push(this.paint("gray", `${duration_ms < 10 ? duration_ms.toFixed(1) : Math.round(duration_ms)}ms`));
      if (typeof request_id === "string") parts.push(this.paint("gray", request_id.slice(0, 8)));
    } else {
      parts.push(this.level(String(level ?? "info")), String(msg));
      for (const [k, v] of [["method", method], ["path", path], ["status", status], ["duration_ms", duration_ms], ["request_id", request_id]] as const) {
        if (v !== undefined) rest[k] = v;
      }
    }
    for (const [k, v] of Object.entries(rest)) parts.push(`${this.paint("gray", `${k}=`)}${typeof v === "string" ? v : JSON.stringify(v)}`);
    return parts.filter((p) => p !== "").join(" ");
  }

  private status(status: number): string {
    const style: Colour = status >= 500 ? "red" : status >= 400 ? "yellow" : status >= 300 ? "cyan" : "green";
    return this.paint(style, String(status));
  }

  private level(level: string): string {
    const style: Colour = level === "error" ? "red" : level === "warn" ? "yellow" : "gray";
    return this.paint(style, level);
  }
}
