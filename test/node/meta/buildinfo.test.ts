// GET /buildinfo in the shape the Coder CLI reads.
import { describe, expect, it } from "vitest";
import { get, json, useTestApp } from "../../support/harness.ts";

const { app } = useTestApp({ owner: true });

describe("public metadata: build info", () => {
  it("GET /buildinfo has the shape the Coder CLI reads", async () => {
    const res = await get(app, "/buildinfo");
    expect(res.status).toBe(200);
    const body = await json<Record<string, unknown>>(res);
    expect(body).toEqual({
      external_url: "http://gatehouse.test",
      version: app.deps.config.buildVersion,
      dashboard_url: "http://gatehouse.test",
      telemetry: false,
      workspace_proxy: false,
      agent_api_version: expect.any(String),
      provisioner_api_version: expect.any(String),
      upgrade_message: "",
      deployment_id: expect.stringMatching(/\S/),
    });
    expect(body.version).toMatch(/^v\d+\.\d+\.\d+/);
    expect(res.headers.get("X-Coder-Build-Version")).toBe(body.version);
  });
});
