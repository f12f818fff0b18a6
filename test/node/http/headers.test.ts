// The headers every answer carries, errors included: the build version and a request id.
import { describe, expect, it } from "vitest";
import { API, expectCommonHeaders, get, post, useTestApp, sendJsonText } from "../../support/harness.ts";

const { app } = useTestApp({ owner: true });

describe("headers on every response", () => {
  it("sets X-Coder-Build-Version and X-Request-Id on 400, 401, 404 and 413 alike", async () => {
    const responses = [
      await post(app, "/users/first", {}),
      await get(app, "/users/me"),
      await app.request("/does-not-exist"),
      await sendJsonText(app, "POST", "/users/validate-password", "x".repeat(1024 * 1024 + 1)),
    ];
    expect(responses.map((r) => r.status)).toEqual([400, 401, 404, 413]);
    const ids = new Set<string>();
    for (const res of responses) {
      expectCommonHeaders(app, res);
      ids.add(res.headers.get("X-Request-Id")!);
    }
    expect(ids.size).toBe(responses.length);
  });

  it("echoes a caller-supplied X-Request-Id", async () => {
    const res = await app.request(`${API}/users/authmethods`, { headers: { "X-Request-Id": "trace-123" } });
    expect(res.headers.get("X-Request-Id")).toBe("trace-123");
  });
});
