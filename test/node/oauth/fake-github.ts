// A small GitHub on loopback: the OAuth endpoints (web flow with PKCE, device flow) and the REST calls
// Gatehouse makes, laid out as GitHub Enterprise Server lays them out (/login/oauth/*, /api/v3/*).
// Errors come back the way GitHub sends them: token errors as HTTP 200 with `{"error": ...}`.
import { createHash, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";

export const GITHUB_CLIENT_ID = "gatehouse-github-client";
export const GITHUB_CLIENT_SECRET = "github-client-secret-never-shown";

export interface GithubAccount {
  id: number;
  login: string;
  name: string | null;
  avatar_url: string;
  emails: { email: string; primary: boolean; verified: boolean }[];
  /** Organizations with an active membership. */
  orgs: string[];
  /** `org/team` memberships. */
  teams: string[];
}

export function account(overrides: Partial<GithubAccount> & { login: string }): GithubAccount {
  return {
    id: 1000 + Math.floor(Math.random() * 1_000_000),
    name: "Octo Cat",
    avatar_url: `https://avatars.example/${overrides.login}.png`,
    emails: [{ email: `${overrides.login.toLowerCase().replace(/_/g, "")}@example.com`, primary: true, verified: true }],
    orgs: ["acme"],
    teams: [],
    ...overrides,
  };
}

export interface FakeGithub {
  url: string;
  /** Who approves the next authorization. */
  signIn(who: GithubAccount): void;
  /** Approves a pending device code for the current account. */
  approveDevice(deviceCode: string): void;
  /** Every access token handed out (to check none leaks into a response). */
  issuedTokens: string[];
  /**
   * A refresh token the fake honours once for `who`, as GitHub's expiring user tokens have: the
   * refresh-token grant answers a new access token (8 hours) and a new refresh token.
   */
  refreshTokenFor(who: GithubAccount): string;
  env(extra?: Record<string, string>): Record<string, string>;
  close(): Promise<void>;
}

async function form(req: IncomingMessage): Promise<URLSearchParams> {
  let body = "";
  for await (const chunk of req) body += chunk;
  return new URLSearchParams(body);
}

function json(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}

const s256 = (verifier: string) => createHash("sha256").update(verifier).digest("base64url");

export async function startFakeGithub(): Promise<FakeGithub> {
  let current: GithubAccount | undefined;
  const codes = new Map<string, { who: GithubAccount; challenge: string; redirectUri: string }>();
  const tokens = new Map<string, GithubAccount>();
  const devices = new Map<string, GithubAccount | undefined>();
  const issuedTokens: string[] = [];
  const refreshTokens = new Map<string, GithubAccount>();
  const refreshTokenFor = (who: GithubAccount) => {
    const token = `ghr_${randomUUID().replace(/-/g, "")}`;
    refreshTokens.set(token, who);
    return token;
  };

  const issue = (res: ServerResponse, who: GithubAccount) => {
    const token = `gho_${randomUUID().replace(/-/g, "")}`;
    tokens.set(token, who);
    issuedTokens.push(token);
    json(res, 200, { access_token: token, token_type: "bearer", scope: "read:org,read:user,user:email" });
  };

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const path = url.pathname;
    if (req.method === "GET" && path === "/login/oauth/authorize") {
      if (!current) return json(res, 500, { message: "no account signed in" });
      const code = randomUUID();
      codes.set(code, {
        who: current,
        challenge: url.searchParams.get("code_challenge") ?? "",
        redirectUri: url.searchParams.get("redirect_uri") ?? "",
      });
      const back = new URL(url.searchParams.get("redirect_uri")!);
      back.searchParams.set("code", code);
      back.searchParams.set("state", url.searchParams.get("state") ?? "");
      res.writeHead(302, { location: back.href }).end();
      return;
    }
    if (req.method === "POST" && path === "/login/device/code") {
      const body = await form(req);
      if (body.get("client_id") !== GITHUB_CLIENT_ID) return json(res, 200, { error: "incorrect_client_credentials" });
      const deviceCode = randomUUID();
      devices.set(deviceCode, undefined);
      return json(res, 200, {
        device_code: deviceCode,
        user_code: "ABCD-1234",
        verification_uri: "https://github.example/login/device",
        expires_in: 900,
        interval: 5,
      });
    }
    if (req.method === "POST" && path === "/login/oauth/access_token") {
      const body = await form(req);
      if (body.get("grant_type") === "urn:ietf:params:oauth:grant-type:device_code") {
        const deviceCode = body.get("device_code") ?? "";
        if (!devices.has(deviceCode)) return json(res, 200, { error: "expired_token" });
        const who = devices.get(deviceCode);
        return who ? issue(res, who) : json(res, 200, { error: "authorization_pending" });
      }
      if (body.get("grant_type") === "refresh_token") {
        const who = refreshTokens.get(body.get("refresh_token") ?? "");
        refreshTokens.delete(body.get("refresh_token") ?? "");
        if (!who || body.get("client_secret") !== GITHUB_CLIENT_SECRET) return json(res, 200, { error: "bad_refresh_token" });
        const token = `gho_${randomUUID().replace(/-/g, "")}`;
        tokens.set(token, who);
        issuedTokens.push(token);
        return json(res, 200, { access_token: token, token_type: "bearer", expires_in: 28800, refresh_token: refreshTokenFor(who) });
      }
      const grant = codes.get(body.get("code") ?? "");
      codes.delete(body.get("code") ?? "");
      const ok =
        grant &&
        body.get("client_id") === GITHUB_CLIENT_ID &&
        body.get("client_secret") === GITHUB_CLIENT_SECRET &&
        body.get("redirect_uri") === grant.redirectUri &&
        s256(body.get("code_verifier") ?? "") === grant.challenge;
      if (!ok) return json(res, 200, { error: "bad_verification_code", error_description: "The code passed is incorrect or expired." });
      return issue(res, grant.who);
    }
    const who = tokens.get((req.headers.authorization ?? "").replace(/^Bearer /, ""));
    if (!path.startsWith("/api/v3/")) return json(res, 404, { message: "Not Found" });
    if (!who) return json(res, 401, { message: "Bad credentials" });
    const rest = path.slice("/api/v3/".length);
    if (rest === "user") return json(res, 200, { id: who.id, login: who.login, name: who.name, avatar_url: who.avatar_url, type: "User" });
    if (rest === "user/emails") return json(res, 200, who.emails);
    if (rest === "user/memberships/orgs") {
      return json(
        res,
        200,
        who.orgs.map((login) => ({ state: "active", role: "member", organization: { login } })),
      );
    }
    const team = /^orgs\/([^/]+)\/teams\/([^/]+)\/memberships\/([^/]+)$/.exec(rest);
    if (team && team[3] === who.login && who.teams.includes(`${team[1]}/${team[2]}`))
      return json(res, 200, { state: "active", role: "member" });
    return json(res, 404, { message: "Not Found" });
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err) => json(res, 500, { message: String(err) }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const addr = server.address();
  const url = `http://127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}`;
  return {
    url,
    signIn: (who) => void (current = who),
    approveDevice: (deviceCode) => void devices.set(deviceCode, current),
    issuedTokens,
    refreshTokenFor,
    env: (extra = {}) => ({
      CODER_OAUTH2_GITHUB_CLIENT_ID: GITHUB_CLIENT_ID,
      CODER_OAUTH2_GITHUB_CLIENT_SECRET: GITHUB_CLIENT_SECRET,
      CODER_OAUTH2_GITHUB_ALLOWED_ORGS: "acme",
      CODER_OAUTH2_GITHUB_ENTERPRISE_BASE_URL: url,
      ...extra,
    }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
