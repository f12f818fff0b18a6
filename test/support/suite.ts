// One app per suite, started and closed by hooks this module registers: a file (or a describe block)
// writes `const { app, owner } = useTestApp({ owner: true })` instead of a `let`, a beforeAll and an
// afterAll of its own. The values exist only once beforeAll has run, so what is handed back at load
// time are stand-ins (`lateBound`) that reach the real objects from then on.
import { afterAll, beforeAll } from "vitest";
import type { JWK } from "jose";
import { TokenService } from "../../src/auth/tokens.ts";
import type { Env } from "../../src/config.ts";
import { type ClockApp, startClockApp } from "./clock-app.ts";
import { createTestDatabase } from "./databases.ts";
import { getMe } from "./harness.ts";
import { ACCESS_URL, startTestApp, withOwner, type TestApp } from "./node-app.ts";
import { startRolesWorld, startWorld, type RolesWorld, type World } from "./world.ts";

/** The first owner as `withOwner` signs them in. */
export type Owner = Awaited<ReturnType<typeof withOwner>>;

/**
 * A stand-in for an object that a beforeAll creates: module code can name and destructure it when the file
 * loads, and every use after `set` reaches the real object (reads, writes, spreads, `in`). A use before
 * then throws, naming what was read too early.
 */
export function lateBound<T extends object>(what: string): { handle: T; set(value: T): void } {
  let value: T | undefined;
  const real = (): T => {
    if (value === undefined) throw new Error(`${what} is used before the suite's beforeAll has started it`);
    return value;
  };
  const handle = new Proxy({} as T, {
    get: (_, key) => Reflect.get(real(), key),
    set: (_, key, v) => Reflect.set(real(), key, v),
    has: (_, key) => Reflect.has(real(), key),
    ownKeys: () => Reflect.ownKeys(real()),
    getOwnPropertyDescriptor: (_, key) => Reflect.getOwnPropertyDescriptor(real(), key),
    getPrototypeOf: () => Reflect.getPrototypeOf(real()),
  });
  return {
    handle,
    set: (v) => {
      value = v;
    },
  };
}

/** Registers a beforeAll that starts `start` and an afterAll that closes it; answers its stand-in. */
export function useStarted<T extends { close(): Promise<void> }>(what: string, start: () => Promise<T>): T {
  const late = lateBound<T>(what);
  let value: T | undefined;
  beforeAll(async () => {
    value = await start();
    late.set(value);
  });
  afterAll(() => value?.close());
  return late.handle;
}

export interface AppSuite {
  app: TestApp;
  /** GET /users/me on this suite's app: what the token suites send. */
  me(token?: string, init?: RequestInit): Promise<Response>;
}

/** startTestApp's options, and what a suite may ask for besides. */
type StartOptions = Omit<NonNullable<Parameters<typeof startTestApp>[0]>, "env" | "databaseUrl"> & {
  /** Or a function, read when the app starts: for an environment naming what an earlier beforeAll starts (a fake provider). */
  env?: Env | (() => Env);
  /**
   * A database of its own over TCP, named after this label (createTestDatabase: on the Postgres at
   * TEST_DATABASE_URL when set), dropped when the app closes. Without it, the in-memory PGlite.
   */
  database?: string | undefined;
};

/** Starts `start`'s app on the database `label` names (see StartOptions.database), or on PGlite without one. */
async function onDatabase<A extends TestApp>(label: string | undefined, start: (databaseUrl?: string) => Promise<A>): Promise<A> {
  const database = label ? await createTestDatabase(label) : undefined;
  try {
    const app = await start(database?.url);
    if (!database) return app;
    const close = app.close;
    return Object.assign(app, {
      close: async () => {
        await close();
        await database.drop();
      },
    });
  } catch (err) {
    await database?.drop();
    throw err;
  }
}

const envOf = (env: StartOptions["env"]) => (env ? { env: typeof env === "function" ? env() : env } : {});

const started = ({ env, database, ...options }: StartOptions) =>
  onDatabase(database, (databaseUrl) => startTestApp({ ...options, ...envOf(env), ...(databaseUrl ? { databaseUrl } : {}) }));

/** A fresh app for the suite; `owner: true` also creates the first owner and signs them in. */
export function useTestApp(options: StartOptions & { owner: true }): AppSuite & { owner: Owner };
export function useTestApp(options?: StartOptions & { owner?: false }): AppSuite;
export function useTestApp({ owner: withFirstOwner = false, ...options }: StartOptions & { owner?: boolean } = {}) {
  const owner = lateBound<Owner>("owner");
  const app = useStarted("app", async () => {
    const app = await started(options);
    if (withFirstOwner) owner.set(await withOwner(app));
    return app;
  });
  return { app, owner: owner.handle, me: (token?: string, init?: RequestInit) => getMe(app, token, init) };
}

/**
 * An app signing with a key the suite holds, so it can forge tokens with it and with look-alikes, plus
 * the first owner.
 */
export function useKnownKeyApp(options: StartOptions = {}): AppSuite & { owner: Owner; signingKey: JWK } {
  const owner = lateBound<Owner>("owner");
  const signingKey = lateBound<JWK>("signingKey");
  const app = useStarted("app", async () => {
    const app = await started(options);
    const key = await TokenService.generateKey();
    app.deps.tokens = await TokenService.create([key], ACCESS_URL);
    signingKey.set(key);
    owner.set(await withOwner(app));
    return app;
  });
  return { app, owner: owner.handle, signingKey: signingKey.handle, me: (token, init) => getMe(app, token, init) };
}

/** `startWorld` for the suite: the first owner and one signed-in member. */
export const useWorld = (env?: Env): World => useStarted("world", async () => withClose(await startWorld(env)));

/** `startRolesWorld` for the suite: the owner plus a signed-in user of each role. */
export const useRolesWorld = (): RolesWorld => useStarted("world", async () => withClose(await startRolesWorld()));

/** A world closes by closing its app. */
const withClose = <W extends World>(world: W) => Object.assign(world, { close: () => world.app.close() });

/** A clock app (startClockApp) for the suite; `owner: true` also creates the first owner. */
export function useClockApp({
  owner: withFirstOwner = false,
  env,
  database,
}: Pick<StartOptions, "env" | "database"> & { owner?: boolean } = {}): { app: ClockApp; owner: Owner } {
  const owner = lateBound<Owner>("owner");
  const app = useStarted("clock app", async () => {
    const app = await onDatabase(database, (databaseUrl) => startClockApp({ ...envOf(env), ...(databaseUrl ? { databaseUrl } : {}) }));
    if (withFirstOwner) owner.set(await withOwner(app));
    return app;
  });
  return { app, owner: owner.handle };
}
