// Who may touch whose settings, what a narrower token
// may not do, and that a private SSH key never leaves the server.
import { describe, expect, it } from "vitest";
import { addOrganization, call, configsOf, NOT_FOUND, oidcUser, sshKeyRow, tokenFor, useRolesWorld } from "../../support/harness.ts";

const TEMPLATE = "7c3e0b6a-3f1e-4b8e-9a51-2d3c4b5a6f70";
const APPEARANCE = { theme_preference: "dark", terminal_font: "fira-code" };

/** Every settings route on `{user}`, with a body for the writes. */
const ROUTES: readonly (readonly [method: string, suffix: string, body?: unknown])[] = [
  ["GET", "appearance"],
  ["PUT", "appearance", APPEARANCE],
  ["GET", "preferences"],
  ["PUT", "preferences", { thinking_display_mode: "preview" }],
  ["GET", "login-type"],
  ["GET", "gitsshkey"],
  ["PUT", "gitsshkey"],
  ["GET", `autofill-parameters?template_id=${TEMPLATE}`],
  ["GET", "organizations"],
  ["GET", "organizations/coder"],
];

/** Settings that belong to the user: readable only with read_personal, writable with update_personal. */
const PERSONAL = ROUTES.filter(([, suffix]) => /^(appearance|preferences|gitsshkey|autofill)/.test(suffix));

const w = useRolesWorld();
/** Every response body the suite saw, to search for secrets at the end. */
const seen: string[] = [];
async function hit(method: string, path: string, token?: string, body?: unknown) {
  const res = await call(w.app, method, path, token, body);
  seen.push(res.text);
  return res;
}

describe("without a valid session", () => {
  it("every route answers 401", async () => {
    for (const [method, suffix, body] of [...ROUTES, ["GET", "oidc-claims"] as const]) {
      const path = suffix === "oidc-claims" ? "/users/oidc-claims" : `/users/me/${suffix}`;
      for (const token of [undefined, "not-a-token"]) {
        const res = await hit(method, path, token, body);
        expect(res.status, `${method} ${path}`).toBe(401);
        expect(res.body.message).toMatch(/signed out|session has expired/);
      }
    }
  });
});

describe("a member on another user", () => {
  it("gets 404 everywhere, as if the user did not exist", async () => {
    const before = await configsOf(w.app, w.owner.id);
    const key = await sshKeyRow(w.app, w.owner.id);
    for (const [method, suffix, body] of ROUTES) {
      for (const user of ["owner", w.owner.id, w.other.username]) {
        const res = await hit(method, `/users/${user}/${suffix}`, w.member.token, body);
        expect(res.status, `${method} ${user}/${suffix}`).toBe(404);
        expect(res.body).toEqual(NOT_FOUND);
      }
    }
    expect(await configsOf(w.app, w.owner.id)).toEqual(before);
    expect((await sshKeyRow(w.app, w.owner.id))!.publicKey).toBe(key!.publicKey);
  });
});

describe("an auditor, who can see users but not their personal settings", () => {
  it("gets 404 on another user's personal settings, reads and writes alike", async () => {
    const before = await configsOf(w.app, w.member.id);
    for (const [method, suffix, body] of PERSONAL) {
      const res = await hit(method, `/users/${w.member.username}/${suffix}`, w.auditor.token, body);
      expect(res.status, `${method} ${suffix}`).toBe(404);
      expect(res.body).toEqual(NOT_FOUND);
    }
    expect(await configsOf(w.app, w.member.id)).toEqual(before);
  });

  it("still reads their own", async () => {
    for (const [method, suffix, body] of PERSONAL) {
      expect((await hit(method, `/users/me/${suffix}`, w.auditor.token, body)).status, `${method} ${suffix}`).toBe(200);
    }
  });
});

describe("a user admin on an owner", () => {
  it("attack: a user admin regenerating an owner's Git SSH key is refused and the key stays", async () => {
    const key = await sshKeyRow(w.app, w.owner.id);
    for (const user of [w.owner.id, "owner"]) {
      const res = await hit("PUT", `/users/${user}/gitsshkey`, w.userAdmin.token);
      expect(res.status).toBe(403);
      expect(res.body).toEqual({ message: "Only owners can regenerate the Git SSH key of an owner." });
    }
    expect(await sshKeyRow(w.app, w.owner.id)).toEqual(key);
    // Still allowed on everyone else.
    expect((await hit("PUT", `/users/${w.member.id}/gitsshkey`, w.userAdmin.token)).status).toBe(200);
  });

  it("attack: a user admin changing an owner's appearance or preferences is refused", async () => {
    const before = await configsOf(w.app, w.owner.id);
    for (const [method, suffix, body] of PERSONAL.filter(([m, suffix]) => m === "PUT" && suffix !== "gitsshkey")) {
      const res = await hit(method, `/users/${w.owner.id}/${suffix}`, w.userAdmin.token, body);
      expect(res.status, suffix).toBe(403);
      expect(res.body).toEqual({ message: "Only owners can change the settings of an owner." });
    }
    expect(await configsOf(w.app, w.owner.id)).toEqual(before);
  });
});

describe("login type", () => {
  it("is 403 for anyone but the user, an owner included", async () => {
    for (const token of [w.owner.token, w.userAdmin.token, w.auditor.token]) {
      const res = await hit("GET", `/users/${w.member.id}/login-type`, token);
      expect(res.status).toBe(403);
      expect(res.body).toEqual({ message: "You are not authorized to view this user's login type." });
    }
  });
});

describe("organizations the caller may not read", () => {
  it("are 404 by name, and a member sees only organizations they belong to", async () => {
    await addOrganization(w.app, "secret", { members: [w.other.id] });
    const res = await hit("GET", "/users/me/organizations/secret", w.member.token);
    expect(res.status).toBe(404);
    expect(res.body).toEqual(NOT_FOUND);
    const mine = await hit("GET", "/users/me/organizations", w.member.token);
    expect(mine.body.map((o: { name: string }) => o.name)).toEqual(["coder"]);
    expect((await hit("GET", "/users/me/organizations/secret", w.other.token)).status).toBe(200);
  });
});

describe("a token scoped to application_connect", () => {
  it("may not read or change personal settings, nor OIDC claims", async () => {
    const scoped = await tokenFor(w.app, w.member.id, { scopes: ["coder:application_connect"] });
    for (const [method, suffix, body] of PERSONAL) {
      const res = await hit(method, `/users/me/${suffix}`, scoped, body);
      expect(res.status, `${method} ${suffix}`).toBe(404);
    }
    const oidc = await oidcUser(w.app, "oidc-scoped", { merged_claims: { email: "s@example.com" } });
    const oidcScoped = await tokenFor(w.app, oidc.id, { scopes: ["coder:application_connect"], loginType: "oidc" });
    const res = await hit("GET", "/users/oidc-claims", oidcScoped);
    expect(res.status).toBe(404);
    expect(res.body).toEqual(NOT_FOUND);
  });
});

describe("OIDC claims", () => {
  it("are always the caller's own: there is no way to name another user", async () => {
    const a = await oidcUser(w.app, "oidc-a", { merged_claims: { who: "a" } });
    await oidcUser(w.app, "oidc-b", { merged_claims: { who: "b" } });
    const res = await hit("GET", "/users/oidc-claims?user=oidc-b", a.token);
    expect(res.body).toEqual({ claims: { who: "a" } });
  });
});

describe("the private SSH key", () => {
  it("never appears in a response", async () => {
    for (const user of [w.member, w.other]) {
      await hit("GET", "/users/me/gitsshkey", user.token);
      await hit("PUT", "/users/me/gitsshkey", user.token);
      await hit("GET", `/users/${user.id}/gitsshkey`, w.owner.token);
      await hit("PUT", `/users/${user.id}/gitsshkey`, w.userAdmin.token);
    }
    const privateKeys = await Promise.all([w.member, w.other, w.owner].map(async (u) => (await sshKeyRow(w.app, u.id))!.privateKey));
    const everything = seen.join("\n");
    expect(everything).not.toMatch(/PRIVATE KEY|private_key|openssh-key-v1/i);
    for (const key of privateKeys) {
      // The base64 body of the PEM, in any of its 70-character lines.
      for (const line of key.split("\n").filter((l) => l.length > 20 && !l.startsWith("-----"))) {
        expect(everything).not.toContain(line);
      }
    }
  });
});
