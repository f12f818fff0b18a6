// Races are decided by the database, never by a read-then-write in the handler:
// twenty simultaneous POST /users/first create exactly one owner, one membership, one SSH key.
import { describe, expect, it } from "vitest";
import { gitSshKeys, organizationMembers, users } from "../../src/db/schema.ts";
import { defaultOrgId, get, json, login, post, useTestApp } from "../support/harness.ts";

const PARALLEL = 20;
const candidate = (i: number) => ({
  email: `racer${i}@example.com`,
  username: `racer-${i}`,
  name: `Racer ${i}`,
  password: "SomeSecurePassword!",
});

const { app } = useTestApp();

async function race(bodies: ReturnType<typeof candidate>[]) {
  const responses = await Promise.all(bodies.map((body) => post(app, "/users/first", body)));
  return Promise.all(responses.map(async (res, i) => ({ i, status: res.status, body: await json<Record<string, unknown>>(res) })));
}

async function expectOneOwner(results: Awaited<ReturnType<typeof race>>, bodies: ReturnType<typeof candidate>[]) {
  const created = results.filter((r) => r.status === 201);
  const conflicts = results.filter((r) => r.status === 409);
  expect(created).toHaveLength(1);
  expect(conflicts).toHaveLength(PARALLEL - 1);
  for (const c of conflicts) expect(c.body).toEqual({ message: "The initial user has already been created." });

  const winner = created[0]!;
  const orgId = await defaultOrgId(app);
  expect(winner.body).toEqual({ user_id: expect.any(String), organization_id: orgId });

  const rows = await app.db.select().from(users);
  expect(rows).toHaveLength(1);
  expect(rows[0]).toMatchObject({
    id: winner.body.user_id,
    email: bodies[winner.i]!.email,
    username: bodies[winner.i]!.username,
    status: "active",
    rbacRoles: ["owner"],
  });
  const members = await app.db.select().from(organizationMembers);
  expect(members).toEqual([expect.objectContaining({ userId: winner.body.user_id, organizationId: orgId, roles: [] })]);
  expect(await app.db.select().from(gitSshKeys)).toHaveLength(1);

  // The winner is a working owner; the losers do not exist.
  const token = await login(app, bodies[winner.i]!.email, "SomeSecurePassword!");
  const me = await json<{ id: string; roles: { name: string }[] }>(await get(app, "/users/me", token));
  expect(me).toMatchObject({ id: winner.body.user_id, roles: [{ name: "owner" }] });
  const loser = bodies[(winner.i + 1) % PARALLEL]!;
  expect((await post(app, "/users/login", { email: loser.email, password: loser.password })).status).toBe(401);
}

describe("20 parallel POST /users/first", () => {
  it("with different usernames and emails: one 201, nineteen 409, one user and one membership", async () => {
    const bodies = Array.from({ length: PARALLEL }, (_, i) => candidate(i));
    await expectOneOwner(await race(bodies), bodies);
  });
});
