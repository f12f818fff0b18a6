// Where a browser may be sent after signing in: a path on this site, never another origin (OWASP
// Unvalidated Redirects and Forwards Cheat Sheet). Used when the `redirect` query parameter is stored in
// the oauth_redirect cookie and again when the callback reads that cookie back (a sibling subdomain can
// plant the cookie), and by anything else that turns user input into a Location.
//
// A browser resolves a Location against the page's URL with the WHATWG URL parser: tabs and newlines are
// dropped, a backslash is a slash in http(s) URLs, `/.//evil.test` normalises to the path `//evil.test`,
// which, written back into a Location, is protocol-relative. So the candidate is resolved against the
// access URL and must keep its origin; the check is repeated on each percent-decoded (and NFKC-normalised,
// for full-width `／` and `．`) form until decoding changes nothing, so no later decoder can turn it into
// another origin; and the answer is the parser's own serialisation of the first form, never the raw input.

/** Enough for any honest nesting of percent-encoding; deeper is refused. */
const MAX_ROUNDS = 5;
/** C0 controls, DEL and backslashes: browsers drop or reinterpret them. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is this pattern's job.
const UNSAFE = /[\u0000-\u001f\u007f\\]/;

/** The normalised path+search+hash when `candidate` is a path that stays on `base`'s origin. */
function sameOriginPath(candidate: string, base: URL): string | undefined {
  if (!candidate.startsWith("/") || candidate.startsWith("//") || UNSAFE.test(candidate)) return undefined;
  let url: URL;
  try {
    url = new URL(candidate, base);
  } catch {
    return undefined;
  }
  if (url.origin !== base.origin) return undefined;
  const path = url.pathname + url.search + url.hash;
  // The parser removed dot segments: `/.//x` became `//x`, protocol-relative once it is a Location.
  return path.startsWith("//") ? undefined : path;
}

function decoded(s: string): string | undefined {
  try {
    return decodeURIComponent(s).normalize("NFKC");
  } catch {
    return undefined;
  }
}

/**
 * `raw` as a same-origin path (with its query and fragment, normalised and percent-encoded), or "/" when
 * it is missing, absolute, protocol-relative, or could become any of those after decoding.
 * `accessUrl` is the deployment's public URL (CODER_ACCESS_URL).
 */
export function safeRedirect(raw: string | undefined, accessUrl: string): string {
  if (!raw) return "/";
  const base = new URL(accessUrl);
  let candidate = raw;
  let result: string | undefined;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const path = sameOriginPath(candidate, base);
    if (path === undefined) return "/";
    result ??= path;
    const next = decoded(path);
    if (next === undefined) return "/";
    if (next === candidate) return result;
    candidate = next;
  }
  return "/";
}
