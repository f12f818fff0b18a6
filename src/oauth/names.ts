// Usernames and display names from what an identity provider sends (Coder's codersdk/name.go): Coder's
// UsernameFrom and NormalizeRealUsername, so a provider's login becomes a valid Gatehouse username.
import { nameValid } from "../http/validation.ts";

const ADJECTIVES = [
  "brave",
  "calm",
  "clever",
  "eager",
  "gentle",
  "happy",
  "keen",
  "lucid",
  "merry",
  "nimble",
  "quiet",
  "sharp",
  "steady",
  "swift",
  "vivid",
  "witty",
];
const NOUNS = [
  "curie",
  "darwin",
  "euler",
  "faraday",
  "gauss",
  "hopper",
  "kepler",
  "lovelace",
  "meitner",
  "newton",
  "noether",
  "pascal",
  "ramanujan",
  "tesla",
  "turing",
  "yalow",
];

function pick<T>(items: T[], byte: number): T {
  return items[byte % items.length]!;
}

/** A random `adjective-scientist<digit>` name: the last resort when nothing the provider sent is usable. */
export function randomUsername(): string {
  const [a = 0, b = 0, d = 0] = crypto.getRandomValues(new Uint8Array(3));
  return `${pick(ADJECTIVES, a)}-${pick(NOUNS, b)}${d % 10}`;
}

/**
 * The input if it is a valid username; else the part before the last `@` with every character outside
 * `[a-zA-Z0-9-]` removed, if that is valid; else a random name.
 */
export function usernameFrom(input: string): string {
  if (nameValid(input) === undefined) return input;
  const at = input.lastIndexOf("@");
  const stripped = (at >= 0 ? input.slice(0, at) : input).replace(/[^a-zA-Z0-9-]/g, "");
  return nameValid(stripped) === undefined ? stripped : randomUsername();
}

const MAX_NAME_BYTES = 128;

/** Trimmed and cut to 128 bytes of UTF-8 (on a character boundary), so it passes UserRealNameValid. */
export function normalizeRealName(input: string): string {
  let name = input.trim();
  const encoder = new TextEncoder();
  if (encoder.encode(name).length <= MAX_NAME_BYTES) return name;
  let bytes = 0;
  let end = 0;
  for (const ch of name) {
    bytes += encoder.encode(ch).length;
    if (bytes > MAX_NAME_BYTES) break;
    end += ch.length;
  }
  name = name.slice(0, end);
  return name.trimEnd();
}
