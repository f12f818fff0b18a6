// Two owners removing each other at the same moment: each request alone is allowed (the other owner
// remains), together they would leave no owner. The database decides, on the embedded PGlite and on the
// Postgres at TEST_DATABASE_URL when set.
import { and, eq, ne, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { users } from "../../../src/db/schema.ts";
import { type AddedUser, addUser, json, send, type TestApp, useTestApp } from "../../support/harness.ts";

const BACKENDS = process.env.TEST_DATABASE_URL ? (["pglite", "postgres"] as const) : (["pglite"] as const);
const ROUNDS = 6;

type Removal = "delete" | "demote";
const remove = (app: TestApp, how: Removal, actor: AddedUser, target: AddedUser) =>
  how === "delete"
    ? send(app, "DELETE", `/users/${target.id}`, actor.token)
    : send(app, "PUT", `/users/${target.id}/roles`, actor.token, { roles: [] });

describe.each(BACKENDS)("two owners removing each other on %s", (backend) => {
  const { app } = useTestApp({ database: backend === "postgres" ? "owner_race" : undefined });

  const activeOwners = async () =>
    app.db
      .select({ id: users.id })
      .from(users)
      .where(and(eq(users.deleted, false), ne(users.status, "suspended"), sql`'owner' = any(${users.rbacRoles})`));

  it(`attack: two owners demoting or deleting each other concurrently never leave no owner (${ROUNDS} rounds)`, async () => {
    // The deployment's only two owners; each round the survivor meets a new one.
    let survivor = await addUser(app, { username: "owner-0", roles: ["owner"], login: true });
    const plans: [Removal, Removal][] = [
      ["demote", "demote"],
      ["delete", "delete"],
      ["delete", "demote"],
    ];
    for (let round = 1; round <= ROUNDS; round++) {
      const rival = await addUser(app, { username: `owner-${round}`, roles: ["owner"], login: true });
      // A session's first use stamps it after the response; done now, so only the removals race.
      for (const owner of [survivor, rival]) expect((await send(app, "GET", "/users/me", owner.token)).status).toBe(200);
      await app.settle();
      expect(await activeOwners()).toHaveLength(2);
      const [first, second] = plans[round % plans.length]!;
      const [a, b] = await Promise.all([remove(app, first, survivor, rival), remove(app, second, rival, survivor)]);
      const outcomes = [
        { status: a.status, body: await json(a) },
        { status: b.status, body: await json(b) },
      ];
      const label = `round ${round} (${first}/${second}): ${JSON.stringify(outcomes)}`;
      // One wins. The other is refused: as the last owner's remover (400), or, when its session was read
      // after the winner committed, because it no longer is an owner (403/404).
      expect(
        outcomes.filter((o) => o.status === 200),
        label,
      ).toHaveLength(1);
      const loser = outcomes.find((o) => o.status !== 200)!;
      expect([400, 401, 403, 404], label).toContain(loser.status);
      if (loser.status === 400)
        expect(loser.body.message, label).toMatch(/^You cannot (delete|remove the "owner" role from) the last owner\./);
      const owners = await activeOwners();
      expect(owners, label).toHaveLength(1);
      survivor = owners[0]!.id === survivor.id ? survivor : rival;
    }
  });
});
