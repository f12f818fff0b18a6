// The audit record of a sign-in through GitHub: the completed sign-in, not the redirect to the provider.
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditLogs, users } from "../../../src/db/schema.ts";
import { startTestApp } from "../../support/harness.ts";
import { Browser, GITHUB_CALLBACK } from "../oauth/browser.ts";
import { account, GITHUB_CLIENT_SECRET, startFakeGithub } from "../oauth/fake-github.ts";

describe("sign-in through GitHub", () => {
  it("records the completed sign-in as login on the new key, not the redirect to the provider, and no provider secret", async () => {
    const github = await startFakeGithub();
    const gh = await startTestApp({ env: github.env({ CODER_OAUTH2_GITHUB_ALLOW_SIGNUPS: "true" }) });
    try {
      github.signIn(account({ login: "audited-cat" }));
      const browser = new Browser(gh);
      const done = await browser.signIn(GITHUB_CALLBACK);
      expect(done.status).toBe(307);
      const session = browser.cookies.get("coder_session_token")!;
      const jti = JSON.parse(Buffer.from(session.split(".")[1]!, "base64url").toString()).jti as string;
      await gh.settle();
      const rows = await gh.db.select().from(auditLogs);
      // The first hop only redirected to GitHub: nothing to record.
      expect(rows).toHaveLength(1);
      const [me] = await gh.db.select({ id: users.id }).from(users).where(eq(users.username, "audited-cat"));
      expect(rows[0]).toMatchObject({ action: "login", resourceType: "api_key", resourceId: jti, userId: me!.id, statusCode: 307 });
      const text = JSON.stringify(rows);
      for (const secret of [session, GITHUB_CLIENT_SECRET, ...github.issuedTokens]) expect(text).not.toContain(secret);
    } finally {
      await gh.close();
      await github.close();
    }
  });
});
