// Assertions several suites make about Coder's answers: the signed-out 401, the headers every response
// carries, and the detail strings of Coder's validator.
import { expect } from "vitest";
import type { TestApp } from "./node-app.ts";

export const SIGNED_OUT = "You are signed out or your session has expired. Please sign in again to continue.";
/** Coder's detail for a request that carries no token at all. */
export const NO_TOKEN = `Cookie "coder_session_token" or query parameter must be provided.`;

/** The detail of a failed `required` tag, as Go's validator words it. */
export const required = (value = "") => `Validation failed for tag "required" with value: "${value}"`;
export const tagged = (tag: string, value: string) => `Validation failed for tag "${tag}" with value: "${value}"`;

/** A 401 in Coder's signed-out shape, with the WWW-Authenticate challenge Coder sends. */
export async function expectSignedOut(res: Response, detail: string | RegExp) {
  expect(res.status).toBe(401);
  const body = (await res.json()) as { message: string; detail?: string };
  expect(body.message).toBe(SIGNED_OUT);
  if (typeof detail === "string") expect(body.detail).toBe(detail);
  else expect(body.detail).toMatch(detail);
  expect(body).not.toHaveProperty("validations");
  expect(res.headers.get("WWW-Authenticate")).toMatch(/^Bearer realm="coder", error="invalid_token"/);
}

/** The headers every JSON answer carries, errors included. */
export function expectCommonHeaders(app: TestApp, res: Response) {
  expect(res.headers.get("X-Coder-Build-Version")).toBe(app.deps.config.buildVersion);
  expect(res.headers.get("X-Request-Id")).toMatch(/\S+/);
  expect(res.headers.get("content-type")).toMatch(/^application\/json/);
}
