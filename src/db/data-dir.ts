// DATA_DIR holds the embedded database (argon2 password hashes, session and token rows, Git SSH private
// keys, all of them in its WAL as well as its tables) and the generated signing keys: it is readable by the
// process owner only.
import { chmodSync, lstatSync, mkdirSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Config } from "../config.ts";
import { logLine } from "../http/logging.ts";

/** Group and other permission bits: none of them may stay on anything under DATA_DIR. */
const GROUP_OTHER = 0o077;

/** Whether this configuration keeps anything under DATA_DIR: the embedded database, or generated keys. */
export const usesDataDir = (config: Config): boolean => !config.databaseUrl || !config.signingKeys;

/**
 * Makes DATA_DIR owner-only before anything is written in it, and keeps it so for the life of the process.
 *
 * PGlite writes its files from WASM through Node's fs, creating them 0666 and directories 0777; the process
 * umask narrows those, so it is set to 0o077 here and left there: PGlite creates files (WAL segments,
 * relation files) for as long as it runs, and the server itself writes nothing meant for others. The modes
 * PGlite sets afterwards with chmod, which no umask narrows, are masked by src/db/pglite-fs.ts.
 * A directory left wider by an earlier version, a copy or a hand-made `mkdir` is tightened: the directory
 * and everything inside it, recursively. Symbolic links are not followed (chmod would change their target,
 * which may be outside DATA_DIR); DATA_DIR itself may be a link, as the operator chose that path.
 * Answers how many entries were tightened; one log line says so when there were any.
 */
export function secureDataDir(dir: string): number {
  process.umask(GROUP_OTHER);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tightened = tighten(dir);
  if (tightened > 0) {
    logLine("warn", "DATA_DIR was readable by other users; tightened to owner-only", { data_dir: dir, entries_tightened: tightened });
  }
  return tightened;
}

/** Removes group and other bits from `root` and from everything under it, without following links. */
function tighten(root: string): number {
  let count = 0;
  const fix = (path: string, mode: number) => {
    if ((mode & GROUP_OTHER) === 0) return;
    chmodSync(path, mode & 0o700);
    count++;
  };
  fix(root, statSync(root).mode);
  const dirs = [root];
  for (let dir = dirs.pop(); dir !== undefined; dir = dirs.pop()) {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      const stat = lstatSync(path);
      if (stat.isSymbolicLink()) continue;
      fix(path, stat.mode);
      if (stat.isDirectory()) dirs.push(path);
    }
  }
  return count;
}
