import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";

const call = (path: string, init?: RequestInit) => exports.default.fetch(new Request(`http://gatehouse.test${path}`, init));

describe("smoke", () => {
  it("answers buildinfo", async () => {
    const res = await call("/api/v2/buildinfo");
    expect(res.status).toBe(200);
  });
});
