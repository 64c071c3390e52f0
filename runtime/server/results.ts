// What a handler's value answers (runtime/README.md "server"):
//   Ok(v) and plain values -> 200 with the value as JSON (RPC: {"result": v}, and
//     `X-Tova-Result: ok` for an Ok, `err` for an Err, so a peer gets its Result back);
//   Err(e) -> 400, or e.status when e is an object with a numeric status, with {"error": e};
//   None from a route -> 404 (an RPC answers {"result": null});
//   a fetch Response -> sent as it is.
import { isResult } from "../stdlib/result-shape.js";

/** The status and JSON value of an answer, or the Response the handler built. */
export interface Answer {
  status: number;
  value: unknown;
  /** An RPC function's Result, which side: sent as `X-Tova-Result` so that a peer gets the Result back (peers.ts). */
  result?: "ok" | "err";
}

const NOT_FOUND: Answer = { status: 404, value: { error: "Not Found" } };

function errorStatus(error: unknown): number {
  const status = typeof error === "object" && error !== null ? (error as { status?: unknown }).status : undefined;
  return typeof status === "number" && Number.isInteger(status) && status >= 400 && status <= 599 ? status : 400;
}

function errAnswer(error: unknown): Answer {
  return { status: errorStatus(error), value: { error: error ?? null } };
}

/** A route handler's value. */
export function routeAnswer(value: unknown): Answer | Response {
  if (value === null || value === undefined) return NOT_FOUND;
  if (typeof value === "object") {
    if (value instanceof Response) return value;
    if (isResult(value)) {
      if (!value.ok) return errAnswer(value.error);
      value = value.value;
    }
  }
  return { status: 200, value };
}

/** An RPC function's value, as `{"result": value}`; a Result says which side it was. */
export function rpcAnswer(value: unknown): Answer | Response {
  if (typeof value === "object" && value !== null) {
    if (value instanceof Response) return value;
    if (isResult(value)) {
      if (!value.ok) return { ...errAnswer(value.error), result: "err" };
      return { status: 200, value: { result: value.value ?? null }, result: "ok" };
    }
  }
  return { status: 200, value: { result: value ?? null } };
}

/**
 * For work that runs with nobody to answer (an event's subscriber, a
 * background job): an `Err` it answers is a failure like a throw, since Tova
 * code has no `throw`; it is retried or logged the same way.
 */
export function failOnErr(answer: unknown): void {
  if (isResult(answer) && !answer.ok) throw new Error(typeof answer.error === "string" ? answer.error : JSON.stringify(answer.error));
}
