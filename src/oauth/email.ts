// Comparing the email an identity provider asserts with the addresses Gatehouse already holds.
//
// Unicode case mapping makes different addresses look equal: Postgres' lower() (in a UTF-8 locale) and
// JavaScript's toLowerCase() turn the Kelvin sign U+212A into "k", and Postgres turns the dotted capital
// U+0130 "İ" into "i", so `admin@bİgcorp.example`, a domain of its own, would match
// `admin@bigcorp.example`. Only ASCII letters are folded here; every other character must be identical.
import { and, eq, ne, sql, type SQL } from "drizzle-orm";
import { users } from "../db/schema.ts";

const ASCII_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const ASCII_LOWER = "abcdefghijklmnopqrstuvwxyz";

/** Lowercases A-Z and nothing else. */
export const asciiLower = (s: string): string => s.replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 32));

/**
 * Live users whose email equals `email` up to ASCII case. The lower() comparison only lets the query use
 * the unique index on lower(email) (it matches a superset: addresses equal up to ASCII case are equal under
 * lower() too); the translate() comparison is the one that decides.
 */
export function sameEmailAs(email: string): SQL {
  return and(
    ne(users.email, ""),
    sql`lower(${users.email}) = lower(${email})`,
    sql`translate(${users.email}, ${ASCII_UPPER}, ${ASCII_LOWER}) = ${asciiLower(email)}`,
    eq(users.deleted, false),
  )!;
}

/**
 * A deliberately loose likeness (compatibility decomposition, marks dropped, case ignored) used only to
 * keep a stored address: a provider sign-in never rewrites a user's email into one that differs from it
 * merely by case or by look-alike characters (`İ` for `I`, `K` for `K`). Erring towards "alike" only means
 * an address is not mirrored.
 */
export function looksAlike(a: string, b: string): boolean {
  const skeleton = (s: string) => s.normalize("NFKD").replace(/\p{M}/gu, "");
  const [x, y] = [skeleton(a), skeleton(b)];
  return x.toLowerCase() === y.toLowerCase() || x.toUpperCase() === y.toUpperCase();
}
