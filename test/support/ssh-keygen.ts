// ssh-keygen, when the machine has it, as an independent check of the Git SSH keys Gatehouse makes.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** ssh-keygen checks the keys when the machine has it; without it those assertions are skipped. */
const HAVE_SSH_KEYGEN = (spawnSync("ssh-keygen", ["-l", "-f", "/dev/null"]).error as NodeJS.ErrnoException | undefined)?.code !== "ENOENT";

/** Runs ssh-keygen with `files` written to a private temp dir (arguments naming a file get its path). */
export function sshKeygen(args: string[], files: Record<string, string>): string | undefined {
  if (!HAVE_SSH_KEYGEN) return undefined;
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-ssh-"));
  try {
    for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content, { mode: 0o600 });
    return execFileSync(
      "ssh-keygen",
      args.map((a) => (a in files ? join(dir, a) : a)),
      { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
