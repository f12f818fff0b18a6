// A minimal browser for the sign-in flows: it keeps cookies, talks to the app in process, and to the
// identity providers over loopback HTTP.
import { expect } from "vitest";
import type { TestApp } from "../../support/harness.ts";

/** Each Set-Cookie line (Node's and workerd's Headers have getSetCookie; the bundled types lag behind). */
export const setCookies = (res: Response): string[] => (res.headers as Headers & { getSetCookie(): string[] }).getSetCookie();

export class Browser {
  readonly cookies = new Map<string, string>();
  private readonly app: TestApp;
  constructor(app: TestApp) {
    this.app = app;
  }

  /** Stores and forgets cookies as a browser would (Max-Age=0 deletes). */
  absorb(res: Response) {
    for (const line of setCookies(res)) {
      const [pair = "", ...attrs] = line.split(";").map((s: string) => s.trim());
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq);
      const value = decodeURIComponent(pair.slice(eq + 1));
      if (attrs.some((a: string) => /^max-age=0$/i.test(a))) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join("; ");
  }

  async get(path: string): Promise<Response> {
    const res = await this.app.request(path, { headers: { cookie: this.cookieHeader() } });
    this.absorb(res);
    return res;
  }

  /**
   * The whole sign-in: the app's redirect to the provider, the provider's redirect back (it signs the
   * configured user in without a page), and the callback. Returns the callback's response.
   */
  async signIn(startPath: string): Promise<Response> {
    const start = await this.get(startPath);
    expect(start.status).toBe(307);
    const back = await fetch(start.headers.get("location")!, { redirect: "manual" });
    expect(back.status).toBe(302);
    const callback = new URL(back.headers.get("location")!);
    return this.get(callback.pathname + callback.search);
  }
}

export const GITHUB_CALLBACK = "/api/v2/users/oauth2/github/callback";
export const OIDC_CALLBACK = "/api/v2/users/oidc/callback";

/** The JSON body of a response, typed loosely for assertions. */
export const body = async (res: Response) => (await res.json()) as Record<string, any>;

/** The user `browser`'s session cookie signs in as, by GET /users/me on `app` (which must answer 200). */
export async function signedInAs(app: TestApp, browser: Browser) {
  const res = await app.request("/api/v2/users/me", { token: browser.cookies.get("coder_session_token") });
  expect(res.status).toBe(200);
  return body(res);
}

/** A fresh browser signs in through `callback` (which must end in a 307); answers the user it is then. */
export async function signInThrough(app: TestApp, callback: string) {
  const browser = new Browser(app);
  expect((await browser.signIn(callback)).status).toBe(307);
  return signedInAs(app, browser);
}
