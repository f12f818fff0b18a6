// What a database error means, read the same way everywhere. Drizzle wraps the driver's error (node-postgres,
// PGlite, Neon) in `cause`, so each test walks the chain of causes. Codes are Postgres SQLSTATEs:
// https://www.postgresql.org/docs/current/errcodes-appendix.html

export const UNIQUE_VIOLATION = "23505";
/** undefined_table and invalid_schema_name: the migrations have not created the schema yet. */
const MISSING_SCHEMA = new Set(["42P01", "3F000"]);
const SQLSTATE = /^[0-9A-Z]{5}$/;

/** `err` and its causes, outermost first; a few levels are all any driver nests. */
function* causes(err: unknown): Generator<object> {
  let e = err;
  for (let depth = 0; e && typeof e === "object" && depth < 4; depth++) {
    yield e;
    e = (e as { cause?: unknown }).cause;
  }
}

/**
 * The first `code` along the chain: a SQLSTATE when Postgres answered, a Node error code (ECONNREFUSED)
 * when the connection failed. Safe to log, unlike the error's text, which can quote bound parameters.
 */
export function errorCode(err: unknown): string | undefined {
  for (const e of causes(err)) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string") return code;
  }
  return undefined;
}

/** Whether Postgres itself answered with this error (it carries a SQLSTATE), rather than the connection failing. */
export function fromPostgres(err: unknown): boolean {
  const code = (err as { code?: unknown } | null | undefined)?.code;
  return typeof code === "string" && SQLSTATE.test(code);
}

/**
 * Postgres unique_violation: the name of the index or constraint that raised it ("" if the driver did not
 * say), which the caller maps to Coder's 409 body; undefined for any other error.
 */
export function uniqueViolation(err: unknown): string | undefined {
  for (const e of causes(err)) {
    const { code, constraint } = e as { code?: unknown; constraint?: string };
    if (code === UNIQUE_VIOLATION) return constraint ?? "";
  }
  return undefined;
}

/** The statement named a table or schema that does not exist: the database has not been migrated. */
export const missingSchema = (err: unknown): boolean => MISSING_SCHEMA.has(errorCode(err) ?? "");
