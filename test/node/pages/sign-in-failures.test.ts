// A provider sign-in that fails on its callback: a browser navigating there is sent to the sign-in page with
// the API's message (src/pages/sign-in-failures.ts); an API client still gets Coder's JSON; the audit log
// records the failure with its real status either way.
import { describe, expect, it } from "vitest";
import { auditLogs } from "../../../src/db/schema.ts";
import { useTestApp } from "../../support/harness.ts";

const CALLBACK = "/api/v2/users/oauth2/github/callback";
const NOT_CONFIGURED = "The oauth2 method requested is not configured!";

describe("a failed provider callback", () => {
  const { app } = useTestApp({ owner: true });

  it("a browser's navigation is redirected to /login with the message", async () => {
    const res = await app.request(`${CALLBACK}?code=abc&state=def`, {
      headers: { "sec-fetch-mode": "navigate", "sec-fetch-dest": "document", accept: "text/html" },
    });
    expect(res.status).toBe(303);
    const location = new URL(res.headers.get("location")!, "http://x");
    expect(location.pathname).toBe("/login");
    expect(location.searchParams.get("message")).toBe(NOT_CONFIGURED);
    expect(await res.text()).toBe("");

    const login = await app.request(`${location.pathname}${location.search}`);
    expect(login.status).toBe(200);
    expect(await login.text()).toContain(`<div id="login-message" class="status error" role="alert"><p>${NOT_CONFIGURED}</p></div>`);
  });

  it("an older browser that sends only Accept: text/html is redirected too", async () => {
    const res = await app.request(CALLBACK, { headers: { accept: "text/html,application/xhtml+xml,*/*;q=0.8" } });
    expect(res.status).toBe(303);
  });

  it("an API client, or a fetch from the page, keeps Coder's JSON answer and status", async () => {
    for (const headers of [{}, { "sec-fetch-mode": "cors", accept: "text/html" }] as Record<string, string>[]) {
      const res = await app.request(CALLBACK, { headers });
      expect(res.status).toBe(428);
      expect(await res.json()).toMatchObject({ message: NOT_CONFIGURED });
    }
  });

  it("the message on the sign-in page is escaped", async () => {
    const res = await app.request(`/login?message=${encodeURIComponent('<script>alert(1)</script>"')}`);
    const html = await res.text();
    expect(html).not.toContain("<script>alert(1)</script>");
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;&quot;");
  });

  it("the audit log keeps the failure's own status", async () => {
    await app.settle();
    const statuses = (await app.db.select().from(auditLogs)).map((r) => r.statusCode);
    expect(statuses).toContain(428);
    expect(statuses).not.toContain(303);
  });
});
