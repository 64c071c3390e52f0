import type { LayerName } from "./manifest.js";
import { assign, quote } from "./shell.js";

/**
 * The short scripts `tova deploy` runs on the server, one per step, each sent
 * to `bash -s` over SSH (or run locally by the git hook). Pure text: quoting
 * goes through shell.ts, and every path hangs off `$ROOT`, which honours
 * `$TOVA_PREFIX` on the server exactly as provision.sh does.
 */

function preamble(app: string | null): string {
  return ["set -euo pipefail", 'ROOT="${TOVA_PREFIX:-}/opt/tova"', ...(app ? [assign("APP", app), 'APP_DIR="$ROOT/apps/$APP"'] : []), ""].join("\n");
}

/** The app's complete releases (`v1`, `v2`, ...), one per line, unsorted; fails (grep) when there are none. */
const LIST_RELEASES = `find "$APP_DIR/releases" -mindepth 1 -maxdepth 1 -type d -name 'v*' -printf '%f\\n' 2>/dev/null | grep -E '^v[0-9]+$'`;

/** The markers between the sections of a script's output (`parseSections`). */
const SECTION = "@@tova:";
const SECTION_FN = `section() { printf '\\n${SECTION}%s\\n' "$1"; }`;

/** The names set in `.env.production`, one per line (never the values). */
const ENV_NAMES = `if [ -f "$APP_DIR/.env.production" ]; then grep -E '^[A-Za-z_][A-Za-z0-9_]*=' "$APP_DIR/.env.production" | cut -d= -f1 || true; fi`;

/** A server's answer that stopped before its end marker. */
export class CutShort extends Error {}

/** A script's output split at its `section <name>` markers; a missing `end` means the answer was cut short. */
export function parseSections(output: string): Map<string, string> {
  const sections = new Map<string, string>();
  for (const part of output.split(`\n${SECTION}`).slice(1)) {
    const nl = part.indexOf("\n");
    sections.set(nl < 0 ? part : part.slice(0, nl), nl < 0 ? "" : part.slice(nl + 1));
  }
  if (!sections.has("end")) throw new CutShort("the server's answer was cut short (the connection dropped, or the server's shell printed something unexpected)");
  return sections;
}

/**
 * Takes the server's deploy lock (one deploy at a time per server, since the
 * registry is shared) and prints what the deploy needs to know. Exits 75,
 * printing the holder, when another deploy holds the lock.
 */
export function lockScript(app: string, owner: string): string {
  return `${preamble(app)}mkdir -p "$ROOT"
if ! mkdir "$ROOT/.deploy.lock" 2>/dev/null; then
  cat "$ROOT/.deploy.lock/owner" 2>/dev/null || echo "unknown"
  exit 75
fi
printf '%s\\n' ${quote(owner)} > "$ROOT/.deploy.lock/owner"
${stateBody()}`;
}

/** What the server holds for the app, in sections (see `parseState`). */
export function stateScript(app: string): string {
  return preamble(app) + stateBody();
}

function stateBody(): string {
  return `${SECTION_FN}
section registry; cat "$ROOT/registry.json" 2>/dev/null || true
section current; readlink "$APP_DIR/current" 2>/dev/null || true
section releases; ${LIST_RELEASES} || true
section manifest; cat "$APP_DIR/current/.tova-manifest.json" 2>/dev/null || true
section env; ${ENV_NAMES}
section end
`;
}

export interface ServerState {
  registry: string;
  /** The live release (`v3`), or null before the first deploy. */
  current: string | null;
  /** Every complete release, oldest first. */
  releases: string[];
  manifest: string;
  /** The names set in `.env.production`. */
  env: string[];
}

export function parseState(output: string): ServerState {
  const sections = parseSections(output);
  const lines = (name: string) => (sections.get(name) ?? "").split("\n").map((l) => l.trim()).filter(Boolean);
  const current = lines("current")[0]?.replace(/^.*\//, "") ?? null;
  return {
    registry: sections.get("registry") ?? "",
    current,
    releases: lines("releases").sort((a, b) => releaseNumber(a) - releaseNumber(b)),
    manifest: sections.get("manifest") ?? "",
    env: lines("env"),
  };
}

export function releaseNumber(release: string): number {
  return Number(release.replace(/^v/, ""));
}

export function unlockScript(): string {
  return `${preamble(null)}rm -rf "$ROOT/.deploy.lock"\n`;
}

/** The remote end of the upload: unpacks the tar stream on stdin into `releases/<release>.partial`. */
export function receiveCommand(app: string, release: string): string {
  // One line for the remote login shell (ssh passes a command as a string).
  return `set -e; d="\${TOVA_PREFIX:-}/opt/tova/apps/"${quote(app)}"/releases/"${quote(release)}".partial"; rm -rf "$d"; mkdir -p "$d"; tar -C "$d" -xzf -`;
}

/** Runs provisioning layers from the uploaded release's provision.sh, and keeps that script beside the app. */
export function provisionScript(app: string, release: string, layers: readonly LayerName[]): string {
  return `${preamble(app)}script="$APP_DIR/releases/${release}.partial/provision.sh"
cp "$script" "$APP_DIR/provision.sh"
chmod 755 "$APP_DIR/provision.sh"
bash "$script" ${layers.join(" ")}
`;
}

/** Copies the data files of `data { source x = read(...) }` into the persistent data directory. */
export function dataFilesScript(app: string, release: string): string {
  return `${preamble(app)}src="$APP_DIR/releases/${release}.partial/data"
if [ -d "$src" ]; then
  mkdir -p "$APP_DIR/data"
  cp -R "$src/." "$APP_DIR/data/"
  chown -R tova:tova "$APP_DIR/data" 2>/dev/null || true
fi
`;
}

/**
 * Appends or replaces `KEY=value` lines of `.env.production` (mode 600), never
 * touching the other lines. Values go through a quoted here-document, so
 * nothing in them is expanded; they cannot hold a new line (EnvironmentFile
 * reads one line per variable).
 */
export function setEnvScript(app: string, values: readonly (readonly [string, string])[]): string {
  for (const [key, value] of values) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) throw new Error(`not an environment variable name: ${key}`);
    if (/[\r\n]/.test(value)) throw new Error(`the value of ${key} may not contain a new line`);
  }
  return `${preamble(app)}file="$APP_DIR/.env.production"
mkdir -p "$APP_DIR"
touch "$file"
chmod 600 "$file"
tmp="$(mktemp)"
cp "$file" "$tmp"
${values.map(([key, value]) => `grep -v ${quote(`^${key}=`)} "$tmp" > "$tmp.next" || true
cat >> "$tmp.next" <<'TOVA_EOF'
${key}=${value}
TOVA_EOF
mv "$tmp.next" "$tmp"`).join("\n")}
cat "$tmp" > "$file"
rm -f "$tmp"
`;
}

/** The names set in `.env.production`, one per line. */
export function listEnvScript(app: string): string {
  return `${preamble(app)}${ENV_NAMES}\n`;
}

/** Installs the release's production npm dependencies with the server's Bun, before it goes live. */
export function installDependenciesScript(app: string, release: string): string {
  return `${preamble(app)}cd "$APP_DIR/releases/${release}.partial"
BUN="$(command -v bun || echo /usr/local/bin/bun)"
"$BUN" install --production
`;
}

/** Completes the upload and points `current` at the release (an atomic rename of a new symlink). */
export function activateScript(app: string, release: string): string {
  return `${preamble(app)}cd "$APP_DIR/releases"
if [ -d ${release}.partial ]; then rm -rf ${release}; mv ${release}.partial ${release}; fi
cd "$APP_DIR"
ln -sfn releases/${release} current.next
mv -T current.next current
`;
}

/** The manifest an earlier release was deployed with (empty when it has none). */
export function releaseManifestScript(app: string, release: string): string {
  return `${preamble(app)}cat "$APP_DIR/releases/${release}/.tova-manifest.json" 2>/dev/null || true\n`;
}

/**
 * Points `current` back at an older release and runs that release's proxy
 * and services layers: its Caddy site (reloaded only if it differs) and its
 * units, restarted.
 */
export function switchScript(app: string, release: string): string {
  return `${activateScript(app, release)}bash "$APP_DIR/releases/${release}/provision.sh" proxy services
cp "$APP_DIR/releases/${release}/provision.sh" "$APP_DIR/provision.sh"
`;
}

/** Runs the services layer of the live release: units written, enabled and restarted. */
export function restartScript(app: string): string {
  return `${preamble(app)}bash "$APP_DIR/current/provision.sh" services\n`;
}

/**
 * Polls every instance's health endpoint until it answers 2xx or `timeout`
 * seconds pass; prints `ok <port>` or `fail <port>` and the instance's last
 * log lines. Exits 1 when any instance failed.
 */
export function healthScript(instances: readonly { port: number; unit: string }[], path: string, timeout: number): string {
  return `set -euo pipefail
failed=0
deadline=$((SECONDS + ${timeout}))
check() {
  local port="$1" unit="$2" out
  while true; do
    if out="$(curl -fsS --max-time ${Math.max(1, Math.min(timeout, 5))} "http://127.0.0.1:$port"${quote(path)} 2>&1 >/dev/null)"; then
      echo "ok $port"
      return 0
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "fail $port $out"
      journalctl -u "$unit" -n 15 --no-pager 2>/dev/null | sed 's/^/    /' || true
      return 1
    fi
    sleep 0.25
  done
}
${instances.map((i) => `check ${i.port} ${quote(i.unit)} || failed=1`).join("\n")}
exit "$failed"
`;
}

/** Removes `.partial` uploads left by failed deploys and the oldest releases beyond `keep`, never the live one. */
export function pruneScript(app: string, keep: number): string {
  return `${preamble(app)}cd "$APP_DIR/releases"
rm -rf ./*.partial
live="$(readlink "$APP_DIR/current" | sed 's#.*/##')"
{ ${LIST_RELEASES} || true; } | sort -t v -k 2 -n | head -n -${keep} | while read -r old; do
  if [ "$old" != "$live" ]; then rm -rf "$old"; echo "$old"; fi
done
`;
}

/** Throws away an upload that never went live (a deploy stopped before `current` moved). */
export function discardScript(app: string, release: string): string {
  return `${preamble(app)}rm -rf "$APP_DIR/releases/${release}.partial"\n`;
}

/** Writes `registry.json` whole (the caller holds the lock and computed it from what it read). */
export function writeRegistryScript(text: string): string {
  return `${preamble(null)}mkdir -p "$ROOT"
cat > "$ROOT/registry.json.next" <<'TOVA_EOF'
${text}TOVA_EOF
mv "$ROOT/registry.json.next" "$ROOT/registry.json"
`;
}

/** One line per instance: `<unit> <active-state> <pid> <memory-bytes> <since>`, then the releases and the last deploy time. */
export function statusScript(app: string, units: readonly string[], health: string): string {
  return `${preamble(app)}${units.map((u) => `state="$(systemctl is-active ${quote(u)} 2>/dev/null || true)"
port=${quote(u.replace(/^.*@(\d+)\.service$/, "$1"))}
if curl -fsS --max-time 3 "http://127.0.0.1:$port"${quote(health)} >/dev/null 2>&1; then healthy=healthy; else healthy=unhealthy; fi
printf 'unit %s %s %s %s\\n' ${quote(u)} "\${state:-unknown}" "$healthy" "$(systemctl show ${quote(u)} -p MemoryCurrent -p ActiveEnterTimestamp --value 2>/dev/null | tr '\\n' ' ')"`).join("\n")}
printf 'current %s\\n' "$(readlink "$APP_DIR/current" 2>/dev/null | sed 's#.*/##')"
printf 'releases %s\\n' "$({ ${LIST_RELEASES} || true; } | wc -l)"
printf 'deployed %s\\n' "$(stat -c %Y "$APP_DIR/current" 2>/dev/null || echo 0)"
`;
}

/** Every app on the server: the registry, each app's first unit state, the shared services, memory and disk. */
export function listScript(): string {
  return `${preamble(null)}${SECTION_FN}
section registry; cat "$ROOT/registry.json" 2>/dev/null || true
section units
systemctl list-units --type=service --all --no-legend --plain 'tova-*' 2>/dev/null | awk '{print $1, $3, $4}' || true
section resources
for s in postgresql redis-server caddy; do printf '%s %s\\n' "$s" "$(systemctl is-active "$s" 2>/dev/null || true)"; done
section memory; free -b 2>/dev/null | awk '/^Mem:/ {print $3, $2}' || true
section disk; df -B1 "$ROOT" 2>/dev/null | awk 'NR==2 {print $3, $2}' || true
section end
`;
}

/**
 * Takes the app off the server (deploy-blocks.md, "App Removal"): stops and
 * removes its units, its Caddy site and, when it has one, its PostgreSQL
 * database (dumped into the archive first); moves `data/`, `.env.production`
 * and provision.sh to `/opt/tova/archive/<app>/<time>/`; deletes the rest.
 */
export function removeScript(app: string, units: readonly string[], templates: readonly string[], postgres: { database: string; user: string; port: number } | null, stamp: string): string {
  return `${preamble(app)}UNIT_DIR="\${TOVA_PREFIX:-}/etc/systemd/system"
ARCHIVE="$ROOT/archive/$APP/${stamp}"
step() { printf 'step %s\\n' "$1"; }
${stopUnits(units)}
systemctl disable --now "tova-$APP-health.timer" >/dev/null 2>&1 || true
step stopped
rm -f ${templates.map((t) => `"$UNIT_DIR/"${quote(t)}`).join(" ")} "$UNIT_DIR/tova-$APP-health.timer" "$UNIT_DIR/tova-$APP-health.service"
systemctl daemon-reload
step units
if [ -f "$ROOT/caddy/apps/$APP.caddy" ]; then
  rm -f "$ROOT/caddy/apps/$APP.caddy"
  systemctl reload caddy || systemctl restart caddy || true
fi
step proxy
mkdir -p "$ARCHIVE"
${postgres ? `${assign("PG_DB", postgres.database)}
${assign("PG_USER", postgres.user)}
PG_PORT=${postgres.port}
if command -v pg_dump >/dev/null 2>&1 && su postgres -c "psql -p $PG_PORT -tAc \\"SELECT 1 FROM pg_database WHERE datname='$PG_DB'\\"" | grep -q 1; then
  su postgres -c "pg_dump -p $PG_PORT $PG_DB" > "$ARCHIVE/$PG_DB.sql"
  su postgres -c "dropdb -p $PG_PORT $PG_DB"
  su postgres -c "dropuser -p $PG_PORT --if-exists $PG_USER"
fi
step database
` : ""}for kept in data .env.production provision.sh; do
  if [ -e "$APP_DIR/$kept" ]; then mv "$APP_DIR/$kept" "$ARCHIVE/"; fi
done
rm -rf "$APP_DIR"
printf 'archive %s\\n' "$ARCHIVE"
`;
}

function stopUnits(units: readonly string[]): string {
  return units.map((u) => `systemctl disable --now ${quote(u)} >/dev/null 2>&1 || true`).join("\n");
}

/**
 * Stops and disables instances the live release no longer has (fewer
 * instances, a server block removed, or the extra ones of a release that was
 * rolled back), so their ports can be given to another app.
 */
export function stopUnitsScript(units: readonly string[]): string {
  return `set -euo pipefail\n${stopUnits(units)}\n`;
}

/** Sets up push-to-deploy: a bare repository and its post-receive hook (the hook's text is given). */
export function setupGitScript(app: string, hook: string): string {
  return `${preamble(app)}repo="$APP_DIR/repo.git"
if [ ! -d "$repo" ]; then git init -q --bare "$repo"; fi
cat > "$repo/hooks/post-receive" <<'TOVA_EOF'
${hook}TOVA_EOF
chmod 755 "$repo/hooks/post-receive"
printf 'repo %s\\n' "$repo"
`;
}

/** The remote end of the toolchain upload (`--setup-git`): this compiler, unpacked under /opt/tova/toolchain. */
export function receiveToolchainCommand(version: string): string {
  return `set -e; t="\${TOVA_PREFIX:-}/opt/tova/toolchain/tova-"${quote(version)}; mkdir -p "$t"; tar -C "$t" -xzf -`;
}

/** Installs the toolchain's dependencies with the server's Bun, once per version. */
export function installToolchainScript(version: string): string {
  return `${preamble(null)}${assign("T", `tova-${version}`)}
cd "$ROOT/toolchain/$T"
if [ ! -d node_modules ]; then
  bun install --production --ignore-scripts
fi
`;
}
