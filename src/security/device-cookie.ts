// Login device cookies, after OWASP's "Slow Down Online Guessing Attacks with Device Cookies"
// (https://owasp.org/www-community/Slow_Down_Online_Guessing_Attacks_with_Device_Cookies): a browser or
// client that signed in to an account successfully is given a signed cookie naming that account, and while
// it presents it, the account's lock against unknown devices does not apply to it. A guessing botnet cannot
// lock the owner out; it only locks out devices that never signed in.
//
// - One cookie per account, named by a keyed tag of the account, so a browser used for several accounts
//   keeps each one's; the value is `v1.<expiry, Unix seconds>.<device id>.<HMAC>`, the HMAC covering the
//   account, the expiry and the id. A cookie for account A is not one for account B, and any edit breaks it.
// - The HMAC key is derived from the signing key (TokenService.macKey): rotating the signing key forgets
//   every device, which then signs in once to be known again.
// - 30 days, renewed at each successful sign-in (daily with the default 24-hour sessions): long enough for
//   the owner to stay known, short enough that a copied cookie does not stay useful.
// - HttpOnly (no script reads it), SameSite=Strict (sent only with the site's own sign-ins), Secure on an
//   https access URL, and Path=/api/v2/users/login: no other request carries it.
import { decodeBase64url, encodeBase64url } from "#crypto";
import type { Context } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import type { AppEnv } from "../deps.ts";

export const DEVICE_COOKIE_PREFIX = "gatehouse_device_";
export const DEVICE_COOKIE_PATH = "/api/v2/users/login";
export const DEVICE_LIFETIME_MS = 30 * 24 * 3600_000;
const PURPOSE = "login device cookie";
const VALUE = /^v1\.(\d{1,12})\.([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/;

const utf8 = (text: string) => new TextEncoder().encode(text);

async function sign(c: Context<AppEnv>, text: string): Promise<string> {
  return encodeBase64url(await c.env.deps.tokens.hmac(PURPOSE, utf8(text)));
}

/** What the cookie's HMAC covers: the account it was issued for, its expiry and the device's id. */
const signed = (account: string, expiry: string, id: string) => `device\0${account}\0${expiry}\0${id}`;

/** Each sign-in's account and its cookie's name: knownDevice computes it, issueDevice reuses it. */
const names = new WeakMap<Context<AppEnv>, { account: string; name: Promise<string> }>();

/**
 * The account's cookie name: a keyed tag, so the name says nothing about the account to anyone else. A
 * sign-in needs the name twice.
 */
function cookieName(c: Context<AppEnv>, account: string): Promise<string> {
  const known = names.get(c);
  if (known?.account === account) return known.name;
  const name = sign(c, `name\0${account}`).then((tag) => `${DEVICE_COOKIE_PREFIX}${tag.slice(0, 22)}`);
  names.set(c, { account, name });
  return name;
}

/**
 * The id of the device that presents a valid, unexpired device cookie for `account` (the email as the
 * login limiter keys it), or undefined: no cookie, another account's, expired, or not signed by this server.
 */
export async function knownDevice(c: Context<AppEnv>, account: string): Promise<string | undefined> {
  const { deps } = c.env;
  const parts = VALUE.exec(getCookie(c, await cookieName(c, account)) ?? "");
  if (!parts) return undefined;
  const [, expiry, id, mac] = parts as unknown as [string, string, string, string];
  if (Number(expiry) * 1000 <= deps.now().getTime()) return undefined;
  const valid = await deps.tokens.verifyHmac(PURPOSE, decodeBase64url(mac), utf8(signed(account, expiry, id)));
  return valid ? id : undefined;
}

/** Marks the client as a known device for `account`: a new id, or the same one renewed. */
export async function issueDevice(c: Context<AppEnv>, account: string, id?: string): Promise<void> {
  const { deps } = c.env;
  const deviceId = id ?? encodeBase64url(crypto.getRandomValues(new Uint8Array(16)));
  const expiry = String(Math.floor((deps.now().getTime() + DEVICE_LIFETIME_MS) / 1000));
  const value = `v1.${expiry}.${deviceId}.${await sign(c, signed(account, expiry, deviceId))}`;
  setCookie(c, await cookieName(c, account), value, {
    path: DEVICE_COOKIE_PATH,
    httpOnly: true,
    sameSite: "Strict",
    secure: deps.config.secureCookies,
    maxAge: DEVICE_LIFETIME_MS / 1000,
  });
}
