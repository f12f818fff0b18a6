// A GitHub sign-up tells the owners and user admins, as Coder's CreateUser does for an OAuth sign-up
// ("oauth" as the initiator); the first user, who is the only owner, is told nothing.
import { afterAll, beforeAll, expect, it } from "vitest";
import { NOTIFICATION_TEMPLATES as T } from "../../../src/users/notifications/templates.ts";
import { type Hook, startHook, useTestApp } from "../../support/harness.ts";
import { Browser, GITHUB_CALLBACK, signedInAs } from "../oauth/browser.ts";
import { account, type FakeGithub, startFakeGithub } from "../oauth/fake-github.ts";

let github: FakeGithub;
let hook: Hook;
beforeAll(async () => {
  github = await startFakeGithub();
  hook = await startHook();
});
afterAll(async () => {
  await github.close();
  await hook.close();
});

const { app } = useTestApp({ env: () => github.env({ CODER_OAUTH2_GITHUB_ALLOW_SIGNUPS: "true", NOTIFICATIONS_WEBHOOK_URL: hook.url }) });

async function signUp(login: string): Promise<string> {
  github.signIn(account({ login, name: login }));
  const browser = new Browser(app);
  expect((await browser.signIn(GITHUB_CALLBACK)).status).toBe(307);
  return (await signedInAs(app, browser)).id as string;
}

it("notifies the owner of a later sign-up, with Coder's labels", async () => {
  const owner = await signUp("first_one");
  await app.settle();
  expect(hook.received).toEqual([]);

  const newcomer = await signUp("newcomer");
  await app.settle();
  expect(hook.received.map((d) => d.json)).toEqual([
    {
      type: "user_account_created",
      template_id: T.userAccountCreated.id,
      user_id: owner,
      email: "firstone@example.com",
      labels: { created_account_name: "newcomer", created_account_user_name: "newcomer", initiator: "oauth" },
    },
  ]);
  expect(newcomer).not.toBe(owner);
});
