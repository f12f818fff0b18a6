// What the two authorization suites (session-routes.test.ts, user-routes.test.ts) share: the routes the
// app's OpenAPI document declares, and the people and tokens every route is tried with.
import { createApp } from "../../../src/app.ts";
import { type AddedUser, addUser, b64url, jwtPayload, login, OWNER, type Owner, send, type TestApp } from "../../support/harness.ts";

/** `method /path` (without /api/v2) for every documented operation `keep` accepts, sorted. */
export function operationsInDocument(keep: (path: string, operation: { security?: unknown[] }) => boolean): string[] {
  const doc = createApp().getOpenAPI31Document({ openapi: "3.1.0", info: { title: "t", version: "t" } });
  const out: string[] = [];
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const method of ["get", "put", "post", "delete", "patch"] as const) {
      const operation = (item as Record<string, { security?: unknown[] } | undefined>)[method];
      if (operation && keep(path, operation)) out.push(`${method} ${path.replace(/^\/api\/v2/, "")}`);
    }
  }
  return out.sort();
}

export interface Cast {
  member: AddedUser;
  /** The user the member (and the forged and scoped tokens) reach for. */
  other: AddedUser;
  /** The owner's token with one claim changed and the signature kept: what a forger can make. */
  forged: string;
  /** An owner session whose key was deleted through the API. */
  revoked: string;
}

/** Two signed-in members, a forged token naming the second, and a revoked owner session. */
export async function startCast(app: TestApp, owner: Owner): Promise<Cast> {
  const member = await addUser(app, { username: "member", login: true });
  const other = await addUser(app, { username: "other-member", login: true });

  const [header, , signature] = owner.token.split(".");
  const forged = `${header}.${b64url({ ...jwtPayload(owner.token), sub: other.id })}.${signature}`;

  const revoked = await login(app, OWNER.email, OWNER.password);
  const deleted = await send(app, "DELETE", `/users/me/keys/${jwtPayload(revoked).jti as string}`, owner.token);
  if (deleted.status !== 204) throw new Error(`revoking a key: ${deleted.status} ${await deleted.text()}`);
  return { member, other, forged, revoked };
}
