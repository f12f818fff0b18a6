// The OpenAPI document the app serves: version 3.1, the users routes, and no stored secret.
import { describe, expect, it } from "vitest";
import { API, json, useTestApp } from "../../support/harness.ts";

const { app } = useTestApp({ owner: true });

describe("public metadata: the OpenAPI document", () => {
  it("serves an OpenAPI 3.1 document listing the users routes", async () => {
    const res = await app.request(`${API}/openapi.json`);
    expect(res.status).toBe(200);
    const doc = await json<{ openapi: string; info: { version: string }; paths: Record<string, Record<string, unknown>> }>(res);
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.info.version).toBe(app.deps.config.buildVersion);
    expect(doc.paths).toHaveProperty(["/api/v2/users/login", "post"]);
    expect(doc.paths).toHaveProperty(["/api/v2/users/first", "post"]);
    expect(doc.paths).toHaveProperty(["/api/v2/users/{user}", "get"]);
    expect(JSON.stringify(doc)).not.toMatch(/hashed_password/);
  });
});
