// A created user is dormant until they first sign in.
import { expect, it } from "vitest";
import { useTestApp } from "../../support/harness.ts";

const { app, owner } = useTestApp({ owner: true });

it("lists a new user as dormant, then active after their first login", async () => {
  const created = await app.request("/api/v2/users", {
    method: "POST",
    token: owner.token,
    json: { email: "sleepy@example.com", username: "sleepy", password: "SomeSecurePassword!", organization_ids: [owner.organizationId] },
  });
  expect(created.status).toBe(201);
  const statusOf = async () => {
    const res = await app.request("/api/v2/users?q=sleepy", { token: owner.token });
    const body = (await res.json()) as { users: { username: string; status: string }[]; count: number };
    expect(body.count).toBe(1);
    return body.users[0]!.status;
  };
  expect(await statusOf()).toBe("dormant");
  const login = await app.request("/api/v2/users/login", {
    method: "POST",
    json: { email: "sleepy@example.com", password: "SomeSecurePassword!" },
  });
  expect(login.status).toBe(201);
  expect(await statusOf()).toBe("active");
});
