// A worker as the bench serves it: the bundle `wrangler deploy --dry-run` builds (what a deploy uploads), run
// by wrangler's own workerd binary with nothing in front of it: the worker's variables as text bindings, one
// HTTP socket on loopback, outbound fetches allowed to loopback (the database stand-ins). `wrangler dev`
// puts two more processes on every request: a second workerd running its proxy worker, and wrangler's Node
// process. Under the bench's load those two spent more CPU per request than the worker itself and capped
// both the worker and its baseline near the same rate (docs/performance.md); production has neither.
// Linux only, as the bench's CPU readers are (bench/cpu.ts).
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { assembleWorkerAssets } from "../scripts/console-assets.ts";
import { type Child, startChild } from "./processes.ts";

export interface WorkerdOptions {
  /** The child's name in the bench's log, and its folder under `stateDir`. */
  name: string;
  port: number;
  /**
   * What `wrangler deploy` builds: nothing for wrangler.toml's worker, a script path and `--name` for
   * another entry, or `--config <file>` for another checkout's worker.
   */
  script: string[];
  /** Where the bundle, workerd's config and wrangler's state go: the bench's own temporary folder. */
  stateDir: string;
  /** The worker's variables: its database, the loopback stand-ins, keys, limits. */
  vars: Record<string, string>;
  /** The path polled until the worker answers. */
  readyPath?: string;
}

interface Settings {
  date: string;
  flags: string[];
  /** wrangler.toml's top-level [vars], which a deploy gives the worker too. */
  vars: Record<string, string>;
}

/** The workerd binary `wrangler dev` runs, so both ways of serving the worker use the same runtime. */
function workerdBinary(): string {
  const fromWrangler = createRequire(createRequire(import.meta.url).resolve("wrangler/package.json"));
  return (fromWrangler("workerd") as { default: string }).default;
}

/** What the wrangler config sets for the worker besides its code, read by wrangler's own reader. */
async function settings(configPath: string): Promise<Settings> {
  const { unstable_readConfig } = await import("wrangler");
  const config = unstable_readConfig({ config: configPath });
  if (!config.compatibility_date) throw new Error(`${configPath} has no compatibility_date`);
  const vars = Object.fromEntries(Object.entries(config.vars).filter((e): e is [string, string] => typeof e[1] === "string"));
  return { date: config.compatibility_date, flags: config.compatibility_flags, vars };
}

const text = (s: string) => JSON.stringify(s);

/**
 * workerd's config, written beside the bundle's folder (embed paths are relative to the config file): the
 * bundle's modules, the main one first; the variables as text bindings; one socket.
 */
function workerdConfig(bundleFiles: string[], port: number, worker: Settings): string {
  const main = bundleFiles.filter((f) => f.endsWith(".js"));
  if (main.length !== 1) throw new Error(`expected one .js file in the worker's bundle, found ${main.join(", ") || "none"}`);
  const modules = [
    `(name = ${text(main[0]!)}, esModule = embed ${text(`bundle/${main[0]}`)})`,
    ...bundleFiles.filter((f) => f.endsWith(".wasm")).map((f) => `(name = ${text(f)}, wasm = embed ${text(`bundle/${f}`)})`),
  ];
  const bindings = Object.entries(worker.vars).map(([k, v]) => `(name = ${text(k)}, text = ${text(v)})`);
  return `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "main", worker = .worker),
    (name = "loopback", network = (allow = ["public", "private", "local"])),
  ],
  sockets = [(name = "http", address = "127.0.0.1:${port}", http = (), service = "main")],
);
const worker :Workerd.Worker = (
  modules = [${modules.join(", ")}],
  compatibilityDate = ${text(worker.date)},
  compatibilityFlags = [${worker.flags.map(text).join(", ")}],
  bindings = [${bindings.join(", ")}],
  globalOutbound = "loopback",
);
`;
}

/** Builds the worker's deploy bundle and serves it with workerd on 127.0.0.1:port. */
export async function startWorkerd(o: WorkerdOptions): Promise<Child> {
  const dir = join(o.stateDir, o.name);
  const bundleDir = join(dir, "bundle");
  mkdirSync(dir, { recursive: true });
  // wrangler.toml's [assets] directory is generated and wrangler will not build without it. The worker gets no
  // ASSETS binding here: the bench's requests are API routes, which never read it.
  assembleWorkerAssets();
  execFileSync("npx", ["wrangler", "deploy", "--dry-run", "--outdir", bundleDir, ...o.script, "--env", ""], {
    stdio: ["ignore", "ignore", "inherit"],
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", XDG_CONFIG_HOME: o.stateDir },
  });
  const configFlag = o.script.indexOf("--config");
  const worker = await settings(configFlag >= 0 ? o.script[configFlag + 1]! : "wrangler.toml");
  const configPath = join(dir, "workerd.capnp");
  writeFileSync(configPath, workerdConfig(readdirSync(bundleDir), o.port, { ...worker, vars: { ...worker.vars, ...o.vars } }));
  const url = `http://127.0.0.1:${o.port}`;
  return startChild({
    name: o.name,
    command: workerdBinary(),
    args: ["serve", configPath, "--experimental"],
    env: {},
    url,
    readyUrl: `${url}${o.readyPath ?? "/"}`,
    readyTimeoutMs: 60_000,
    group: true,
  });
}
