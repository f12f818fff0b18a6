// Environments and `npm run deploy`: wrangler resolves `production` and `preview` with
// everything the top level sets that they need; deploy migrates the environment's database first, then
// runs wrangler; --dry-run changes nothing and uploads nothing.
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { unstable_readConfig } from "wrangler";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deploy, planDeploy, UsageError, type DeployPlan } from "../../../scripts/deploy.ts";
import { EXPECTED_MIGRATION, MIGRATIONS } from "../../../src/db/schema-version.ts";
import { inspectMigrations } from "../../../src/db/migrator.ts";
import { createTestDatabase, type TestDatabase } from "../../support/databases.ts";
import { runCommand, type CommandResult } from "../../support/run-command.ts";

const databases: TestDatabase[] = [];
async function freshDatabase(label: string): Promise<string> {
  const db = await createTestDatabase(label);
  databases.push(db);
  return db.url;
}
afterAll(async () => {
  await Promise.all(databases.map((d) => d.drop()));
});

describe("wrangler.toml environments", () => {
  const top = unstable_readConfig({ config: "wrangler.toml" });

  it.each(["production", "preview"])("%s inherits the build settings and repeats [vars]", (env) => {
    const config = unstable_readConfig({ config: "wrangler.toml", env });
    expect(config.name).toBe(`gatehouse-${env}`);
    expect(config.main).toMatch(/src\/worker\.ts$/);
    expect(config.compatibility_date).toBe(top.compatibility_date);
    expect(config.compatibility_flags).toEqual(["nodejs_compat"]);
    // Inherited: minify (the bundle budget) and observability (Workers Logs).
    expect(config.minify).toBe(true);
    expect(config.observability).toMatchObject({ enabled: true });
    // Top-level only, applying to every environment: the lean zod.
    expect(config.alias).toEqual({ zod: "./src/zod-lean/index.ts" });
    // Not inherited, so repeated: every top-level var, plus request logging.
    expect(config.vars).toEqual({ ...top.vars, LOG_REQUESTS: "true" });
  });

  it("keeps request logging off at the top level, which wrangler dev and the workers tests use", () => {
    expect(top.vars).not.toHaveProperty("LOG_REQUESTS");
  });
});

describe("planning a deploy", () => {
  it("needs --env naming a declared environment", async () => {
    await expect(planDeploy([], {})).rejects.toThrow(UsageError);
    await expect(planDeploy(["--env", "staging"], {})).rejects.toThrow(/No environment found in configuration with name "staging"/);
  });

  it("needs DATABASE_URL_<ENV>, and never falls back to DATABASE_URL", async () => {
    await expect(planDeploy(["--env", "production"], { DATABASE_URL: "postgresql://localhost/dev" })).rejects.toThrow(
      /^DATABASE_URL_PRODUCTION is required/,
    );
  });

  it("passes every other flag through to wrangler and names the Worker", async () => {
    const plan = await planDeploy(["--env=preview", "--name", "gatehouse-pr-7", "--dry-run", "--var", "TENANT_ID:acme"], {});
    expect(plan).toEqual({
      env: "preview",
      worker: "gatehouse-pr-7",
      dryRun: true,
      passThrough: ["--name", "gatehouse-pr-7", "--var", "TENANT_ID:acme"],
      databaseVariable: "DATABASE_URL_PREVIEW",
      databaseUrl: undefined,
    });
    expect((await planDeploy(["-e", "production", "--dry-run"], {})).worker).toBe("gatehouse-production");
  });
});

describe("deploying", () => {
  const quiet = () => {};

  it("migrates the environment's database, then runs wrangler deploy --env with the other flags", async () => {
    const url = await freshDatabase("ops_deploy");
    const plan = await planDeploy(["--env", "preview", "--name", "gatehouse-pr-7"], { DATABASE_URL_PREVIEW: url });
    const calls: { args: string[]; schema: string }[] = [];
    const code = await deploy(
      plan,
      async (args) => {
        // What the database looks like at the moment wrangler starts.
        calls.push({ args, schema: (await inspectMigrations(url)).state });
        return 0;
      },
      quiet,
    );
    expect(code).toBe(0);
    expect(calls).toEqual([{ args: ["deploy", "--env", "preview", "--name", "gatehouse-pr-7"], schema: "current" }]);
  });

  it("returns wrangler's exit code", async () => {
    const plan: DeployPlan = await planDeploy(["--env", "preview", "--dry-run"], {});
    expect(await deploy(plan, async () => 3, quiet)).toBe(3);
  });

  it("does not run wrangler when the migrations fail", async () => {
    const plan = await planDeploy(["--env", "production"], { DATABASE_URL_PRODUCTION: "postgresql://postgres@127.0.0.1:1/postgres" });
    let ran = false;
    await expect(
      deploy(
        plan,
        async () => {
          ran = true;
          return 0;
        },
        quiet,
      ),
    ).rejects.toThrow();
    expect(ran).toBe(false);
  });
});

describe("npm run deploy -- --env preview --dry-run", () => {
  let out: string;
  let url: string;
  let result: CommandResult;

  beforeAll(async () => {
    url = await freshDatabase("ops_dry_run");
    out = mkdtempSync(join(tmpdir(), "gatehouse-deploy-"));
    result = await runCommand("npm", ["run", "-s", "deploy", "--", "--env", "preview", "--dry-run", "--outdir", out], {
      DATABASE_URL_PREVIEW: url,
      WRANGLER_SEND_METRICS: "false",
    });
  }, 180_000);
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it("reports the pending migrations without applying them", async () => {
    expect(result.code, result.stderr).toBe(0);
    const first = JSON.parse(result.stdout.split("\n")[0]!) as Record<string, unknown>;
    expect(first).toMatchObject({ msg: "dry run: migrations not applied", env: "preview", applied: "none" });
    expect(first.pending).toEqual(MIGRATIONS.map((m) => m.tag));
    expect(await inspectMigrations(url)).toMatchObject({ state: "behind", applied: "none", expected: EXPECTED_MIGRATION.tag });
  });

  it("builds the preview Worker with wrangler and stops before uploading", () => {
    expect(result.stdout).toContain('"args":"wrangler deploy --env preview --dry-run --outdir');
    expect(result.stdout).toContain('env.LOG_REQUESTS ("true")');
    expect(result.stdout).toContain("--dry-run: exiting now.");
    expect(readdirSync(out)).toContain("worker.js");
  });
});
