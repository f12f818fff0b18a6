// Where a request's token is read from, as Coder's https://github.com/coder/coder/blob/main/coderd/httpmw/apikey.go reads it: the
// Coder-Session-Token header, the session cookie, the query parameters and a Bearer Authorization header.
import { describe, expect, it } from "vitest";
import { API, expectSignedOut, json, NO_TOKEN, OWNER, useKnownKeyApp } from "../../support/harness.ts";

const { app, owner, me } = useKnownKeyApp();

describe("where the token comes from", () => {
  it("answers no token with 401 and Coder's detail", async () => {
    const res = await me();
    await expectSignedOut(res, NO_TOKEN);
  });

  it("treats an empty header and an empty cookie as no token", async () => {
    const res = await app.request(`${API}/users/me`, { headers: { "Coder-Session-Token": "", cookie: "coder_session_token=" } });
    await expectSignedOut(res, NO_TOKEN);
  });

  it.each([
    ["cookie", (t: string) => app.request(`${API}/users/me`, { headers: { cookie: `coder_session_token=${t}` } })],
    ["query parameter", (t: string) => app.request(`${API}/users/me?coder_session_token=${encodeURIComponent(t)}`)],
    ["Coder-Session-Token header", (t: string) => app.request(`${API}/users/me`, { headers: { "Coder-Session-Token": t } })],
    ["Authorization: Bearer", (t: string) => app.request(`${API}/users/me`, { headers: { Authorization: `Bearer ${t}` } })],
    [
      "Authorization: bearer (any case, padded)",
      (t: string) => app.request(`${API}/users/me`, { headers: { Authorization: `bEaReR   ${t}  ` } }),
    ],
    ["access_token query parameter", (t: string) => app.request(`${API}/users/me?access_token=${encodeURIComponent(t)}`)],
  ])("authenticates a token sent as %s", async (_how, send) => {
    const res = await send(owner.token);
    expect(res.status).toBe(200);
    expect(await json<{ id: string; username: string }>(res)).toMatchObject({ id: owner.userId, username: OWNER.username });
  });

  it("uses the first non-empty source: the cookie wins over the header", async () => {
    const good = await app.request(`${API}/users/me`, {
      headers: { cookie: `coder_session_token=${owner.token}`, "Coder-Session-Token": "abc" },
    });
    expect(good.status).toBe(200);
    const bad = await app.request(`${API}/users/me`, {
      headers: { cookie: "coder_session_token=abc", "Coder-Session-Token": owner.token },
    });
    await expectSignedOut(bad, /^Invalid API key format:/);
  });

  it("does not accept a non-Bearer Authorization scheme", async () => {
    const res = await app.request(`${API}/users/me`, { headers: { Authorization: `Basic ${owner.token}` } });
    await expectSignedOut(res, NO_TOKEN);
  });
});
