// `tls { cert, key }` (security.md, "Server statements"): the values are PEM
// text or paths to PEM files; the server listens with TLS only (Bun.serve's
// `tls` option). Everything is read and checked before the server listens, so
// a missing or unreadable file, text that is not PEM, or a key that does not
// belong to the certificate stops the start with one line naming it, never a
// stack trace from inside Bun.serve.
import type { X509Certificate, createPrivateKey } from "node:crypto";
import { nodeCrypto } from "../builtins.js";
import { readFileSync } from "node:fs";
import path from "node:path";
import { exitWithError } from "./lifecycle.js";

/** The values of `app.config("tls", { cert, key })`. */
export interface TlsConfig {
  cert?: unknown;
  key?: unknown;
}

/** Bun.serve's `tls` option: the PEM texts, checked. Relative paths are read from the working directory. */
export function tlsOptions(config: TlsConfig): { cert: string; key: string } {
  const cert = pem(config.cert, "cert", "certificate");
  const key = pem(config.key, "key", "private key");
  let x509: X509Certificate;
  try {
    x509 = new (nodeCrypto().X509Certificate)(cert.text);
  } catch {
    exitWithError(`tls: cert (${cert.from}) is not a PEM certificate`);
  }
  let keyObject: ReturnType<typeof createPrivateKey>;
  try {
    keyObject = nodeCrypto().createPrivateKey(key.text);
  } catch {
    exitWithError(`tls: key (${key.from}) is not a PEM private key${key.text.includes("ENCRYPTED") ? " without a passphrase" : ""}`);
  }
  if (!x509.checkPrivateKey(keyObject)) exitWithError(`tls: key (${key.from}) does not belong to the certificate (${cert.from})`);
  return { cert: cert.text, key: key.text };
}

function pem(value: unknown, name: string, what: string): { text: string; from: string } {
  if (typeof value !== "string" || value.trim() === "") exitWithError(`tls: ${name} must be the ${what} as PEM text or the path of a PEM file`);
  if (value.includes("-----BEGIN ")) return { text: value, from: "PEM text" };
  const file = path.resolve(value);
  try {
    return { text: readFileSync(file, "utf8"), from: `file ${value}` };
  } catch (err) {
    const code = (err as { code?: string }).code;
    const why = code === "ENOENT" ? "does not exist" : code === "EACCES" ? "is not readable (permission denied)" : code === "EISDIR" ? "is a directory" : `cannot be read (${code ?? String(err)})`;
    exitWithError(`tls: the ${what} file ${value}${file === value ? "" : ` (${file})`} ${why}`);
  }
}
