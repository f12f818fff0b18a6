import type { JWK } from "jose";
import { ConfigError } from "../config.ts";

/** SIGNING_KEYS is a JSON array of private JWKs, or a JWK Set (`{"keys": [...]}`). */
export function parseSigningKeys(raw: string): JWK[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    // Never echo the value: it is a private key.
    throw new ConfigError("SIGNING_KEYS is not valid JSON (expected an array of Ed25519 private JWKs)");
  }
  const list = Array.isArray(parsed) ? parsed : (parsed as { keys?: unknown })?.keys;
  if (!Array.isArray(list) || list.length === 0 || !list.every((k) => k && typeof k === "object")) {
    throw new ConfigError("SIGNING_KEYS must be a non-empty array of Ed25519 private JWKs");
  }
  return list as JWK[];
}
