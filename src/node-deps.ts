// Dependencies for the Node runtime, shared by the server entry and the tests.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Logger } from "drizzle-orm/logger";
import type { JWK } from "jose";
import { hasher } from "#hasher";
import { parseSigningKeys } from "./auth/signing-keys.ts";
import { TokenService } from "./auth/tokens.ts";
import type { Config } from "./config.ts";
import { useNamedStatements, type Db } from "./db/index.ts";
import type { Deps } from "./deps.ts";
import { describeError, logLine } from "./http/logging.ts";

/** Configured keys, or the embedded default: one generated on first start and kept under DATA_DIR. */
export async function signingKeys(config: Config): Promise<JWK[]> {
  if (config.signingKeys) return parseSigningKeys(config.signingKeys);
  const file = join(config.dataDir, "signing-keys.json");
  if (existsSync(file)) return parseSigningKeys(readFileSync(file, "utf8"));
  mkdirSync(config.dataDir, { recursive: true });
  const keys = [await TokenService.generateKey()];
  writeFileSync(file, JSON.stringify(keys, null, 2), { mode: 0o600 });
  return keys;
}

/** `logger` sees every statement sent (the bench's query counter); none by default. */
export async function openDatabase(config: Config, logger?: Logger): Promise<{ db: Db; close(): Promise<void>; label: string }> {
  if (config.databaseUrl) {
    const { openPostgres } = await import("./db/postgres.ts");
    const handle = await openPostgres(config.databaseUrl, logger);
    // The server's pool keeps its connections: statements prepared by name are planned once per connection.
    return { ...handle, db: useNamedStatements(handle.db), label: "postgres" };
  }
  const { openPglite } = await import("./db/pglite.ts");
  return { ...(await openPglite(join(config.dataDir, "pglite"), logger)), label: `pglite (${join(config.dataDir, "pglite")})` };
}

export interface NodeDeps extends Deps {
  /**
   * Waits for every deferred task (audit records, last-used stamps), including tasks deferred while it
   * waits: the server calls it on shutdown, after the last request, before closing the database.
   */
  drainDeferred(): Promise<void>;
}

export async function buildNodeDeps(config: Config, db: Db): Promise<NodeDeps> {
  const pending = new Set<Promise<unknown>>();
  return {
    config,
    db,
    hasher,
    tokens: await TokenService.create(await signingKeys(config), config.accessUrl, config.tokenAudience),
    now: () => new Date(),
    defer(task) {
      const p = Promise.resolve()
        .then(() => task(db))
        // describeError, not String(err): a failed query's text carries its bound parameters (docs/deploying.md, Observability).
        .catch((err) => logLine("error", "deferred task failed", { error: describeError(err) }))
        .finally(() => pending.delete(p));
      pending.add(p);
    },
    async drainDeferred() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
  };
}
