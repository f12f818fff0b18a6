// Copies the people of a Coder deployment into Gatehouse: users, organizations, memberships, user links
// and Git SSH keys, keeping every id, so a re-run updates rather than duplicates. Gatehouse's columns
// follow Coder's (Coder's coderd/database/dump.sql); the differences handled here:
// - hashed_password is bytea in Coder, text here (Coder's PBKDF2 strings verify on login, src/auth/pbkdf2.ts);
// - last_seen_at is a timestamp without time zone with '0001-01-01' for "never" in Coder, NULL here;
// - secrets Coder encrypted at rest (dbcrypt: the *_key_id columns are set) are unreadable without
//   Coder's key: such OAuth tokens are dropped and such SSH keys are replaced by freshly generated ones;
// - pending one-time passcodes are not copied (they expire within minutes anyway);
// - `member` / `organization-member` are implied roles, never stored in Gatehouse.
// Columns that newer Coder versions added (is_system, is_service_account, …) default when absent.
export { readCoder } from "./read.ts";
export { ImportError, type ImportSummary, type TableCount } from "./summary.ts";
export { writeToGatehouse } from "./write.ts";
