// The app on Node for tests: an in-memory PGlite (or the Postgres at `databaseUrl`), a query counter,
// and a `request` helper around app.request.
import { createApp } from "../../src/app.ts";
import { TokenService } from "../../src/auth/tokens.ts";
import { loadConfig, type Env } from "../../src/config.ts";
import { QueryCounter, type Db } from "../../src/db/index.ts";
import { openPglite } from "../../src/db/pglite.ts";
import { openPostgres } from "../../src/db/postgres.ts";
import type { Deps } from "../../src/deps.ts";
import { hasher } from "#hasher";
import { forgetPgliteTemplate, pgliteTemplate } from "./pglite-template.ts";

export const ACCESS_URL = "http://gatehouse.test";

/**
 * An in-memory PGlite started from the migrated template (see pglite-template.ts). The migration gives each
 * database a default organization with an id of its own; a copy of the template gets one too, so two test
 * apps (two tenants) never share it.
 */
async function openTemplatePglite(queries: QueryCounter) {
  let handle;
  try {
    handle = await openPglite(undefined, queries, await pgliteTemplate());
  } catch (err) {
    // A dump this PGlite cannot load: make a new one, once.
    forgetPgliteTemplate();
    handle = await openPglite(undefined, queries, await pgliteTemplate()).catch(() => Promise.reject(err));
  }
  await handle.client.exec("update organizations set id = gen_random_uuid(), created_at = now(), updated_at = now() where is_default");
  return handle;
}

export interface TestApp {
  deps: Deps;
  db: Db;
  queries: QueryCounter;
  request(path: string, init?: RequestInit & { json?: unknown; token?: string }): Promise<Response>;
  /** Waits for work deferred past the response (last-used stamps). */
  settle(): Promise<void>;
  close(): Promise<void>;
}

export async function startTestApp(options: { env?: Env; databaseUrl?: string; clientIp?: string } = {}): Promise<TestApp> {
  const queries = new QueryCounter();
  const handle = options.databaseUrl ? await openPostgres(options.databaseUrl, queries) : await openTemplatePglite(queries);
  // Rate limits off unless a suite asks for them (test/node/reliability): suites sign in far more often
  // than a person would.
  const config = loadConfig({ CODER_ACCESS_URL: ACCESS_URL, DISABLE_RATE_LIMITS: "true", ...options.env });
  const pending: Promise<unknown>[] = [];
  const deps: Deps = {
    config,
    db: handle.db,
    hasher,
    tokens: await TokenService.create([await TokenService.generateKey()], config.accessUrl, config.tokenAudience),
    now: () => new Date(),
    // Started now, as production does; settle() waits for it.
    defer: (task) => void pending.push(Promise.resolve().then(() => task(handle.db))),
  };
  const app = createApp();
  return {
    deps,
    db: handle.db,
    queries,
    request(path, init = {}) {
      const { json, token, ...rest } = init;
      const headers = new Headers(rest.headers);
      if (token) headers.set("Coder-Session-Token", token);
      if (json !== undefined) headers.set("content-type", "application/json");
      const body = json !== undefined ? JSON.stringify(json) : rest.body;
      return Promise.resolve(app.request(path, { ...rest, headers, body }, { deps, clientIp: options.clientIp ?? "127.0.0.1" }));
    },
    async settle() {
      await Promise.allSettled(pending.splice(0));
    },
    close: async () => {
      await Promise.allSettled(pending);
      await handle.close();
    },
  };
}

export const OWNER = { email: "owner@example.com", username: "owner", name: "Olivia Owner", password: "SomeSecurePassword!" };

/** First user plus a session for them. */
export async function withOwner(app: TestApp): Promise<{ userId: string; organizationId: string; token: string }> {
  const created = await app.request("/api/v2/users/first", { method: "POST", json: OWNER });
  if (created.status !== 201) throw new Error(`first user: ${created.status} ${await created.text()}`);
  const { user_id, organization_id } = (await created.json()) as { user_id: string; organization_id: string };
  const login = await app.request("/api/v2/users/login", { method: "POST", json: { email: OWNER.email, password: OWNER.password } });
  const { session_token } = (await login.json()) as { session_token: string };
  return { userId: user_id, organizationId: organization_id, token: session_token };
}

export interface AddedUser {
  id: string;
  username: string;
  email: string;
  password: string;
  /** A session token, when `login` was asked for. */
  token: string;
}

/**
 * Inserts a user directly (memberships and Git SSH key included, as POST /users does) and, with
 * `login: true`, signs them in through POST /users/login. Defaults: a password member of the default org.
 */
export async function addUser(
  app: TestApp,
  options: {
    username: string;
    email?: string;
    password?: string;
    roles?: string[];
    status?: "active" | "dormant" | "suspended";
    loginType?: "password" | "github" | "oidc" | "none";
    organizationIds?: string[];
    login?: boolean;
  },
): Promise<AddedUser> {
  const { insertUser } = await import("../../src/users/create.ts");
  const { organizations } = await import("../../src/db/schema.ts");
  const { eq } = await import("drizzle-orm");
  const password = options.password ?? "SomeSecurePassword!";
  const email = options.email ?? `${options.username}@example.com`;
  const loginType = options.loginType ?? "password";
  const orgIds =
    options.organizationIds ??
    (await app.db.select({ id: organizations.id }).from(organizations).where(eq(organizations.isDefault, true))).map((o) => o.id);
  const hashedPassword = loginType === "password" ? await app.deps.hasher.hash(password) : "";
  const user = await app.db.transaction((tx) =>
    insertUser(
      tx,
      {
        email,
        username: options.username,
        name: "",
        hashedPassword,
        loginType,
        status: options.status ?? "active",
        rbacRoles: options.roles ?? [],
        organizationIds: orgIds,
      },
      new Date(),
    ),
  );
  let token = "";
  if (options.login) {
    const res = await app.request("/api/v2/users/login", { method: "POST", json: { email, password } });
    if (res.status !== 201) throw new Error(`login ${options.username}: ${res.status} ${await res.text()}`);
    token = ((await res.json()) as { session_token: string }).session_token;
  }
  return { id: user.id, username: options.username, email, password, token };
}
