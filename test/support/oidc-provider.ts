// A real OpenID Connect provider on loopback for the tests (oauth2-mock-server: discovery, JWKS, authorize,
// token, userinfo, with RS256-signed tokens). Each test says who signs in next, either directly
// (`provider.next`) or, from workerd, through the provider's POST /test/identity.
import type { IncomingMessage, ServerResponse } from "node:http";
import { Events, OAuth2Server } from "oauth2-mock-server";

export const OIDC_CLIENT_ID = "gatehouse-oidc-client";
export const OIDC_CLIENT_SECRET = "oidc-client-secret-never-shown";

export interface NextIdentity {
  /** Claims put into the next ID token (over the provider's iss/aud/exp, `sub: johndoe` by default). */
  idToken: Record<string, unknown>;
  /** Extra claims the userinfo endpoint returns (its `sub` follows the ID token's). */
  userInfo: Record<string, unknown>;
}

export interface OidcProvider {
  server: OAuth2Server;
  issuer: string;
  next: NextIdentity;
  /** The access tokens' lifetime in seconds (`expires_in`), for sessions whose provider token must expire. */
  tokenLifetime: number;
  /** The refresh-token grants the token endpoint has answered. */
  refreshes: number;
  /** When set, a refresh-token grant is refused with this OAuth error code (HTTP 400). */
  refuseRefresh: string | undefined;
  /** The environment that configures Gatehouse for this provider. */
  env(extra?: Record<string, string>): Record<string, string>;
  close(): Promise<void>;
}

export async function startOidcProvider(): Promise<OidcProvider> {
  const server = new OAuth2Server();
  await server.issuer.keys.generate("RS256");
  await server.start(0, "127.0.0.1");
  const issuer = server.issuer.url!;
  const provider: OidcProvider = {
    server,
    issuer,
    next: { idToken: {}, userInfo: {} },
    tokenLifetime: 3600,
    refreshes: 0,
    refuseRefresh: undefined,
    env: (extra = {}) => ({
      CODER_OIDC_ISSUER_URL: issuer,
      CODER_OIDC_CLIENT_ID: OIDC_CLIENT_ID,
      CODER_OIDC_CLIENT_SECRET: OIDC_CLIENT_SECRET,
      ...extra,
    }),
    close: () => server.stop(),
  };
  // The access token carries no `aud` for the code grant; the ID token's is the client id.
  server.service.on(Events.BeforeTokenSigning, (token) => {
    if (token.payload.aud !== undefined) Object.assign(token.payload, provider.next.idToken);
  });
  server.service.on(Events.BeforeResponse, (response, req: IncomingMessage & { body?: Record<string, unknown> }) => {
    const body = response.body as Record<string, unknown>;
    if (req.body?.grant_type === "refresh_token") {
      provider.refreshes++;
      if (provider.refuseRefresh) {
        response.statusCode = 400;
        response.body = { error: provider.refuseRefresh, error_description: "The refresh token is no longer valid." };
        return;
      }
    }
    body.expires_in = provider.tokenLifetime;
  });
  server.service.on(Events.BeforeUserinfo, (response) => {
    response.body = { sub: provider.next.idToken.sub ?? "johndoe", ...provider.next.userInfo };
  });
  server.service.addRoute("POST", "/test/identity", (req: IncomingMessage & { body?: unknown }, res: ServerResponse) => {
    const body = (req.body ?? {}) as Partial<NextIdentity>;
    provider.next = { idToken: body.idToken ?? {}, userInfo: body.userInfo ?? {} };
    res.writeHead(204).end();
  });
  return provider;
}
