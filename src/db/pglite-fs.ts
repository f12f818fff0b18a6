// PGlite's Node filesystem with owner-only file modes. PGlite runs Postgres in WASM over Emscripten's
// NODEFS, which maps each file operation onto Node's fs. New files are created with the modes Postgres and
// Emscripten ask for (0666, 0777), which the process umask narrows (src/db/data-dir.ts sets 0o077). But
// modes set afterwards are explicit chmods, which no umask touches: the initial database is unpacked from
// initdb's output with chmod 0666 on every file, and Postgres chmods some files it writes later (its
// relation cache file: 0644). Every chmod of this filesystem goes through Emscripten's FS.chmod or
// FS.fchmod (the chmod, lchmod, fchmod and fchmodat system calls, and the unpacking), so those two are
// wrapped here to drop the group and other bits before the mode reaches the disk.
import { NodeFS } from "@electric-sql/pglite/nodefs";

type ChmodFs = {
  chmod(path: unknown, mode: number, dontFollow?: boolean): unknown;
  fchmod(fd: number, mode: number): unknown;
};

const OWNER_ONLY = ~0o077;

/** Wraps an Emscripten FS's chmod and fchmod so no mode it sets carries group or other bits. */
export function ownerOnlyModes(fs: ChmodFs): void {
  const { chmod, fchmod } = fs;
  // Fail closed: a PGlite whose filesystem no longer has these would write files readable by everyone.
  if (typeof chmod !== "function" || typeof fchmod !== "function") {
    throw new Error("PGlite's filesystem has no FS.chmod/FS.fchmod: cannot keep DATA_DIR owner-only");
  }
  fs.chmod = (path, mode, dontFollow) => chmod.call(fs, path, mode & OWNER_ONLY, dontFollow);
  fs.fchmod = (fd, mode) => fchmod.call(fs, fd, mode & OWNER_ONLY);
}

export class OwnerOnlyNodeFS extends NodeFS {
  override async init(...args: Parameters<NodeFS["init"]>): ReturnType<NodeFS["init"]> {
    const { emscriptenOpts } = await super.init(...args);
    return {
      emscriptenOpts: {
        ...emscriptenOpts,
        // After NodeFS's own preRun (which mounts DATA_DIR), before initdb's output is unpacked into it.
        preRun: [...(emscriptenOpts.preRun ?? []), (mod) => ownerOnlyModes((mod as unknown as { FS: ChmodFs }).FS)],
      },
    };
  }
}
