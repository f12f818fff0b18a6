// The identity providers the sign-in suites run against, started once per file: the loopback OIDC provider
// and the fake GitHub.
import { useStarted } from "../../support/harness.ts";
import { type OidcProvider, startOidcProvider } from "../../support/oidc-provider.ts";
import { type FakeGithub, startFakeGithub } from "./fake-github.ts";

/** Registers the file's beforeAll and afterAll for both providers; answers their stand-ins. */
export const useProviders = (): { idp: OidcProvider; github: FakeGithub } => ({
  idp: useStarted("the OIDC provider", () => startOidcProvider()),
  github: useStarted("the fake GitHub", () => startFakeGithub()),
});
