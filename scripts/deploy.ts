// `npm run deploy -- --env <name> [--dry-run] [any other wrangler deploy flag]`: migrates the environment's
// database, then runs `wrangler deploy --env <name>` with the remaining flags. Migrations go first because
// the new code may need them, and the old code keeps working on a newer schema (migrations only add);
// the Worker also refuses to serve a schema older than itself (src/worker.ts), so the order is enforced
// at run time as well.
//
// The database of environment <name> is read from DATABASE_URL_<NAME> (upper case, other characters as
// "_": DATABASE_URL_PRODUCTION, DATABASE_URL_PREVIEW), never from DATABASE_URL, so a shell that happens
// to point DATABASE_URL at a local database cannot migrate it in a production deploy. Use the direct
// (unpooled) connection string: the migration lock is a session lock.
//
// --dry-run changes nothing anywhere: it reports the pending migrations (when the variable is set) and
// lets wrangler build the bundle without uploading it.
import { spawn } from "node:child_process";
import { pathToFileURL } from "node:url";
import { inspectMigrations, migrateWithLock } from "../src/db/migrator.ts";
import { logLine } from "../src/http/logging.ts";
import { assembleWorkerAssets } from "./console-assets.ts";

export class UsageError extends Error {
  override name = "UsageError";
}

export interface DeployPlan {
  env: string;
  /** The Worker that will be deployed: `--name`, else the environment's `name`. */
  worker: string;
  dryRun: boolean;
  /** Passed to `wrangler deploy` after `--env <name>` (and `--dry-run`). */
  passThrough: string[];
  databaseVariable: string;
  databaseUrl: string | undefined;
}

export const databaseVariableFor = (env: string) => `DATABASE_URL_${env.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`;

/** What deploy needs from the wrangler configuration, resolved for one environment. */
export interface ResolvedConfig {
  name: string | undefined;
  definedEnvironments: string[];
}

/** Wrangler's own reader, so environment inheritance is resolved exactly as `wrangler deploy` will. */
export async function readWranglerConfig(configPath: string, env: string): Promise<ResolvedConfig> {
  const { unstable_readConfig } = await import("wrangler");
  try {
    const config = unstable_readConfig({ config: configPath, env });
    return { name: config.name, definedEnvironments: config.definedEnvironments ?? [] };
  } catch (err) {
    // An unknown environment or an invalid file: wrangler's message says which, and how to fix it.
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}

export async function planDeploy(
  argv: string[],
  environment: Record<string, string | undefined>,
  readConfig: (configPath: string, env: string) => Promise<ResolvedConfig> = readWranglerConfig,
): Promise<DeployPlan> {
  let env: string | undefined;
  let dryRun = false;
  let configPath = "wrangler.toml";
  let name: string | undefined;
  const passThrough: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--env" || arg === "-e") env = argv[++i];
    else if (arg.startsWith("--env=")) env = arg.slice("--env=".length);
    else if (arg === "--dry-run") dryRun = true;
    else {
      if (arg === "--config" || arg === "-c") configPath = argv[i + 1] ?? configPath;
      else if (arg.startsWith("--config=")) configPath = arg.slice("--config=".length);
      else if (arg === "--name") name = argv[i + 1];
      else if (arg.startsWith("--name=")) name = arg.slice("--name=".length);
      passThrough.push(arg);
    }
  }
  if (!env) throw new UsageError("usage: npm run deploy -- --env <name> [--dry-run] [wrangler deploy flags]");
  const config = await readConfig(configPath, env);
  if (!config.definedEnvironments.includes(env)) {
    const declared = config.definedEnvironments.join(", ") || "none";
    throw new UsageError(`no environment "${env}" in ${configPath} (declared: ${declared})`);
  }
  const databaseVariable = databaseVariableFor(env);
  const databaseUrl = environment[databaseVariable] || undefined;
  if (!databaseUrl && !dryRun) {
    throw new UsageError(`${databaseVariable} is required: the connection string of the "${env}" database, migrated before deploying`);
  }
  return { env, worker: name ?? config.name ?? env, dryRun, passThrough, databaseVariable, databaseUrl };
}

export type Log = (msg: string, fields?: Record<string, unknown>) => void;

/** Runs `wrangler <args>` and resolves with its exit code. */
export type RunWrangler = (args: string[]) => Promise<number>;

export async function deploy(plan: DeployPlan, runWrangler: RunWrangler, log: Log): Promise<number> {
  const database = plan.databaseUrl ? new URL(plan.databaseUrl).host : undefined;
  if (plan.dryRun) {
    if (plan.databaseUrl) {
      const status = await inspectMigrations(plan.databaseUrl);
      log("dry run: migrations not applied", {
        env: plan.env,
        database,
        applied: status.applied,
        pending: status.state === "behind" ? status.pending : [],
      });
    } else {
      log(`dry run: ${plan.databaseVariable} is not set, so the migration check is skipped`, { env: plan.env });
    }
  } else {
    const { before, after, waitedMs } = await migrateWithLock(plan.databaseUrl!, (msg) => log(msg, { env: plan.env, database }));
    log("migrations done", {
      env: plan.env,
      database,
      applied: before.state === "behind" ? before.pending : [],
      newest: after.applied,
      ...(waitedMs >= 50 ? { waited_ms: waitedMs } : {}),
    });
  }
  const args = ["deploy", "--env", plan.env, ...(plan.dryRun ? ["--dry-run"] : []), ...plan.passThrough];
  log("running wrangler", { worker: plan.worker, args: ["wrangler", ...args].join(" ") });
  return runWrangler(args);
}

const spawnWrangler: RunWrangler = (args) =>
  new Promise((resolve, reject) => {
    const child = spawn("npx", ["wrangler", ...args], { stdio: "inherit" });
    child.on("error", reject);
    child.on("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });

const print: Log = (msg, fields = {}) => logLine("info", msg, fields, { time: false });

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  try {
    const plan = await planDeploy(process.argv.slice(2), process.env);
    // Before migrating: wrangler uploads the generated [assets] directory, and a stale manifest stops here.
    assembleWorkerAssets();
    process.exitCode = await deploy(plan, spawnWrangler, print);
  } catch (err) {
    const message =
      err instanceof UsageError ? err.message : `deploy stopped before wrangler ran: ${err instanceof Error ? err.message : String(err)}`;
    logLine("error", message, {}, { time: false });
    process.exitCode = 1;
  }
}
