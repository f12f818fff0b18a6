// Secrets never leave the server: passwords are stored as argon2id hashes that no response carries, and
// no response holds the private signing key.
import { beforeEach, describe, expect, it } from "vitest";
import { API, get, OWNER, post, userRow, useKnownKeyApp } from "../../support/harness.ts";

const { app, signingKey, owner, me } = useKnownKeyApp();

describe("secrets never leave the server", () => {
  beforeEach(() => app.settle());

  it("stores argon2id hashes, and no response carries them", async () => {
    const stored = (await userRow(app, owner.userId)).hashedPassword;
    expect(stored).toMatch(/^\$argon2id\$/);
    const hashBody = stored.split("$").pop()!;

    const responses = [
      await me(owner.token),
      await get(app, `/users/${owner.userId}`, owner.token),
      await get(app, `/users/${OWNER.username}`, owner.token),
      await post(app, "/users/login", { email: OWNER.email, password: OWNER.password }),
      await post(app, "/users/login", { email: OWNER.email, password: "WrongPassword!1" }),
      await post(app, "/users/first", OWNER),
      await get(app, "/buildinfo"),
      await app.request("/.well-known/jwks.json"),
      await app.request(`${API}/openapi.json`),
    ];
    for (const res of responses) {
      const text = await res.text();
      expect(text).not.toMatch(/hashed_password|hashedPassword/);
      expect(text).not.toContain("$argon2");
      expect(text).not.toContain(hashBody);
      expect(text).not.toContain(signingKey.d!);
    }
  });
});
