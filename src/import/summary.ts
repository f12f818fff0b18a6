// What an import reports, and the one error it raises for a source it cannot convert.

export class ImportError extends Error {
  override name = "ImportError";
}

export interface TableCount {
  /** Rows read from Coder. */
  read: number;
  inserted: number;
  /** Rows already in Gatehouse that Coder has a newer version of. */
  updated: number;
}

export interface ImportSummary {
  users: TableCount;
  organizations: TableCount;
  memberships: TableCount;
  userLinks: TableCount;
  gitSshKeys: TableCount;
  /** Users given a new SSH key: theirs was encrypted by Coder, or they had none. */
  generatedSshKeys: number;
  /** OAuth tokens dropped because Coder stored them encrypted. */
  droppedEncryptedTokens: number;
  /** Links of deleted users, which Coder keeps but Gatehouse refuses (a trigger in drizzle/0000_init.sql refuses them). */
  skippedUserLinks: number;
  /** Coder users whose password is a PBKDF2 hash: each becomes argon2id at its first login here. */
  pbkdf2Passwords: number;
}
