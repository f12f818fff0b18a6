// A server with an owner and signed-in users, one per suite, for the suites that act as several people.
import type { Env } from "../../src/config.ts";
import { addUser, startTestApp, withOwner, type AddedUser, type TestApp } from "./node-app.ts";

export interface World {
  app: TestApp;
  owner: { id: string; token: string; orgId: string };
  member: AddedUser;
}

/** The first owner and one signed-in member. */
export async function startWorld(env?: Env): Promise<World> {
  const app = await startTestApp(env ? { env } : {});
  const owner = await withOwner(app);
  const member = await addUser(app, { username: "member", login: true });
  return { app, owner: { id: owner.userId, token: owner.token, orgId: owner.organizationId }, member };
}

export interface RolesWorld extends World {
  other: AddedUser;
  auditor: AddedUser;
  userAdmin: AddedUser;
}

/** The first owner plus signed-in users of each role the rules distinguish. */
export async function startRolesWorld(): Promise<RolesWorld> {
  const world = await startWorld();
  const [other, auditor, userAdmin] = await Promise.all([
    addUser(world.app, { username: "other", login: true }),
    addUser(world.app, { username: "auditor", roles: ["auditor"], login: true }),
    addUser(world.app, { username: "useradmin", roles: ["user-admin"], login: true }),
  ]);
  return { ...world, other, auditor, userAdmin };
}
