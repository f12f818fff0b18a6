// Unknown paths and unsupported methods answer Coder's 404 Route not found.
import { describe, expect, it } from "vitest";
import { API, expectCommonHeaders, json, useTestApp } from "../../support/harness.ts";

const { app } = useTestApp({ owner: true });

describe("unknown routes", () => {
  it.each([`${API}/nope`, `${API}/users/me/nope/deeper`, "/nope", "/api/v3/users/me"])(
    "answers %s with 404 Route not found.",
    async (path) => {
      const res = await app.request(path);
      expect(res.status).toBe(404);
      expectCommonHeaders(app, res);
      expect(await json(res)).toEqual({ message: "Route not found." });
    },
  );

  it("answers an unsupported method on a known path with 404 Route not found.", async () => {
    const res = await app.request(`${API}/buildinfo`, { method: "PATCH" });
    expect(res.status).toBe(404);
    expect(await json(res)).toEqual({ message: "Route not found." });
  });
});
