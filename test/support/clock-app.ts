// An app whose client IP each request may choose and whose clock the test controls, for the suites
// about rate limits and client addresses (windows must start where the test expects).
import type { Env } from "../../src/config.ts";
import { startTestApp, type TestApp } from "./node-app.ts";

export interface ClockApp extends TestApp {
  /** Sends from this client IP until changed (startTestApp reads its option on every request). */
  setIp(ip: string): void;
  /** Moves the app's clock; starts at a fixed instant so rate-limit windows are predictable. */
  clock: { now: Date; advance(ms: number): void };
}

/** A window boundary plus one second: every test's first window is a whole one. */
export const T0 = new Date(Date.UTC(2030, 0, 1, 12, 0, 1));

export async function startClockApp(options: { env?: Env; databaseUrl?: string } = {}): Promise<ClockApp> {
  const opts: { env?: Env; databaseUrl?: string; clientIp: string } = { ...options, clientIp: "198.51.100.1" };
  const app = await startTestApp(opts);
  const clock = {
    now: new Date(T0),
    advance(ms: number) {
      clock.now = new Date(clock.now.getTime() + ms);
    },
  };
  app.deps.now = () => new Date(clock.now);
  return Object.assign(app, {
    setIp(ip: string) {
      opts.clientIp = ip;
    },
    clock,
  });
}
