import { ROOT, onThisHost, type DeployLayout, type ServerUnit } from "./plan.js";

/**
 * systemd units (deploy-blocks.md, section 7): one template per server block,
 * instantiated once per port (`tova-myapp@3000.service`), with the memory
 * limit, the restart policy and the app's `.env.production`; and the
 * health-check timer and service.
 */
export function renderUnit(l: DeployLayout, s: ServerUnit): string {
  const memory = l.target.memory.toUpperCase().replace(/B$/, "");
  // Every other block's first port, and with several instances all of them (PORTS_<NAME>: peers and events go round robin).
  const peers = l.servers
    .filter((o) => o !== s)
    .flatMap((o) => [`Environment=${o.portEnv}=${o.ports[0]}`, ...(o.ports.length > 1 ? [`Environment=${o.portEnv.replace(/^PORT/, "PORTS")}=${o.ports.join(",")}`] : [])]);
  const lines = [
    "[Unit]",
    `Description=Tova app: ${l.app}${s.block ? ` (server ${s.block})` : ""}, instance %i`,
    "After=network.target" + (onThisHost(l.infra.databases.postgres) ? " postgresql.service" : "") + (onThisHost(l.infra.databases.redis) ? " redis-server.service" : ""),
    "Wants=network.target",
    "StartLimitBurst=5",
    "StartLimitIntervalSec=300",
    "",
    "[Service]",
    "Type=simple",
    "User=tova",
    `WorkingDirectory=${l.appDir}/current`,
    `ExecStart=/usr/local/bin/bun run ${l.appDir}/current/${s.entry}`,
    // Its own port variable is the instance; the other blocks' variables tell it where its peers are.
    `Environment=${s.portEnv}=%i`,
    ...peers,
    `Environment=TOVA_DATA_DIR=${l.appDir}/data`,
    // The deploy block's health path is answered like /healthz and never protected; the app's Caddy on
    // loopback is the one proxy whose X-Forwarded-For is believed (security.md, "trust_proxy").
    `Environment=TOVA_HEALTH_PATH=${l.target.health}`,
    "Environment=TOVA_TRUSTED_PROXIES=127.0.0.1,::1",
    ...Object.entries(l.target.env).map(([k, v]) => `Environment=${JSON.stringify(`${k}=${v}`)}`),
    `EnvironmentFile=${l.appDir}/.env.production`,
    `Restart=${l.target.restartOnFailure ? "on-failure" : "no"}`,
    "RestartSec=5",
    `MemoryMax=${memory}`,
    "",
    "[Install]",
    "WantedBy=multi-user.target",
  ];
  return lines.join("\n") + "\n";
}

export function renderHealthTimer(l: DeployLayout): string {
  return [
    "[Unit]",
    `Description=Health checks of Tova app ${l.app}`,
    "",
    "[Timer]",
    "OnBootSec=30",
    `OnUnitActiveSec=${l.target.healthInterval}`,
    `Unit=tova-${l.app}-health.service`,
    "",
    "[Install]",
    "WantedBy=timers.target",
    "",
  ].join("\n");
}

export function renderHealthService(l: DeployLayout): string {
  return [
    "[Unit]",
    `Description=Health check of every instance of Tova app ${l.app}; restarts the ones that fail`,
    "",
    "[Service]",
    "Type=oneshot",
    `ExecStart=${ROOT}/apps/${l.app}/health-check.sh`,
    "",
  ].join("\n");
}
