// Where a deployed app keeps its files (deploy-blocks.md, section 3): the
// systemd unit sets TOVA_DATA_DIR to /opt/tova/apps/<app>/data, which
// survives redeploys and rollbacks, so a relative SQLite or data file path
// resolves there instead of inside the release. Unset (tova run, tova dev),
// paths stay relative to the working directory.

/** `path` inside TOVA_DATA_DIR when that is set and `path` is relative. */
export function dataPath(path: string): string {
  const dir = typeof process !== "undefined" ? process.env?.["TOVA_DATA_DIR"] : undefined;
  if (!dir || path === ":memory:" || path.startsWith("/") || /^[A-Za-z]:[\\/]/.test(path)) return path;
  return `${dir.replace(/\/+$/, "")}/${path.replace(/^\.\//, "")}`;
}
