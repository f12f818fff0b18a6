// Outbound calls to identity providers: bounded in time, https only except to this machine.
import * as oauth from "oauth4webapi";

/** A provider that does not answer within this is treated as failed rather than holding the request. */
export const PROVIDER_TIMEOUT_MS = 10_000;

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

/**
 * Plain http is allowed only to a loopback address (a local provider, the test servers): such traffic
 * never leaves the machine. Anything else must be https, as oauth4webapi insists by default.
 */
export function insecureAllowed(url: string): boolean {
  const u = new URL(url);
  return u.protocol === "http:" && LOOPBACK.test(u.hostname);
}

/** oauth4webapi request options for a provider at `url`. */
export function requestOptions(url: string) {
  return { [oauth.allowInsecureRequests]: insecureAllowed(url), signal: AbortSignal.timeout(PROVIDER_TIMEOUT_MS) };
}
