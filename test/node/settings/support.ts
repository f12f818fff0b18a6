// Fixtures for the settings suites: a server with an owner and users of each role, tokens for users
// who cannot sign in with a password (OIDC, scoped), and direct readers of the rows the routes write.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eq } from "drizzle-orm";
import {
  gitSshKeys,
  organizationMembers,
  organizations,
  templateParameterValues,
  userConfigs,
  userLinks,
} from "../../../src/db/schema.ts";
import { issueKey } from "../../../src/keys/issue.ts";
import { addUser, startTestApp, withOwner, type AddedUser, type TestApp } from "../../support/node-app.ts";

export const API = "/api/v2";
export const NOT_FOUND = { message: "Resource not found or you do not have access to this resource" };

export interface ErrorBody {
  message: string;
  detail?: string;
  validations?: { field: string; detail: string }[];
}

export interface World {
  app: TestApp;
  owner: { id: string; token: string; orgId: string };
  member: AddedUser;
  other: AddedUser;
  auditor: AddedUser;
  userAdmin: AddedUser;
}

/** One server per suite: the first owner plus signed-in users of the roles the rules distinguish. */
export async function startWorld(): Promise<World> {
  const app = await startTestApp();
  const owner = await withOwner(app);
  const [member, other, auditor, userAdmin] = await Promise.all([
    addUser(app, { username: "member", login: true }),
    addUser(app, { username: "other", login: true }),
    addUser(app, { username: "auditor", roles: ["auditor"], login: true }),
    addUser(app, { username: "useradmin", roles: ["user-admin"], login: true }),
  ]);
  return { app, owner: { id: owner.userId, token: owner.token, orgId: owner.organizationId }, member, other, auditor, userAdmin };
}

export async function call(
  app: TestApp,
  method: string,
  path: string,
  token?: string,
  body?: unknown,
): Promise<{ status: number; body: any; text: string }> {
  const res = await app.request(`${API}${path}`, {
    method,
    ...(token ? { token } : {}),
    ...(body !== undefined ? { json: body } : {}),
  });
  const text = await res.text();
  return { status: res.status, text, body: text ? JSON.parse(text) : undefined };
}

/** A session for a user who has no password (OIDC) or a narrower token, minted as login would. */
export async function tokenFor(app: TestApp, userId: string, options: { scopes?: string[]; loginType?: "password" | "oidc" } = {}) {
  const { token } = await issueKey(app.deps, app.db, {
    userId,
    loginType: options.loginType ?? "password",
    lifetimeMs: 3600_000,
    ip: "127.0.0.1",
    ...(options.scopes ? { scopes: options.scopes } : {}),
  });
  return token;
}

/** An OIDC user with a session; `claims: null` leaves them without a link (their session is then refused). */
export async function oidcUser(app: TestApp, username: string, claims: Record<string, unknown> | null = {}) {
  const user = await addUser(app, { username, loginType: "oidc" });
  if (claims) await app.db.insert(userLinks).values({ userId: user.id, loginType: "oidc", linkedId: `sub-${username}`, claims });
  return { ...user, token: await tokenFor(app, user.id, { loginType: "oidc" }) };
}

export async function configsOf(app: TestApp, userId: string): Promise<Record<string, string>> {
  const rows = await app.db.select().from(userConfigs).where(eq(userConfigs.userId, userId));
  return Object.fromEntries(rows.map((r) => [r.key, r.value]));
}

export async function sshKeyRow(app: TestApp, userId: string) {
  const [row] = await app.db.select().from(gitSshKeys).where(eq(gitSshKeys.userId, userId));
  return row;
}

export async function addParameterValue(
  app: TestApp,
  values: { userId: string; templateId: string; name: string; value: string; ephemeral?: boolean; createdAt: Date },
) {
  await app.db.insert(templateParameterValues).values(values);
}

export async function addOrganization(app: TestApp, name: string, options: { members?: string[]; deleted?: boolean } = {}) {
  const [org] = await app.db
    .insert(organizations)
    .values({ name, displayName: name.toUpperCase(), description: `The ${name} org`, icon: "/icon/x.svg", deleted: options.deleted ?? false })
    .returning();
  for (const userId of options.members ?? []) await app.db.insert(organizationMembers).values({ userId, organizationId: org!.id });
  return org!;
}

/** ssh-keygen checks the keys when the machine has it; without it those assertions are skipped. */
const HAVE_SSH_KEYGEN = (spawnSync("ssh-keygen", ["-l", "-f", "/dev/null"]).error as NodeJS.ErrnoException | undefined)?.code !== "ENOENT";

/** Runs ssh-keygen with `files` written to a private temp dir (arguments naming a file get its path). */
export function sshKeygen(args: string[], files: Record<string, string>): string | undefined {
  if (!HAVE_SSH_KEYGEN) return undefined;
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-ssh-"));
  try {
    for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content, { mode: 0o600 });
    return execFileSync("ssh-keygen", args.map((a) => (a in files ? join(dir, a) : a)), { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
