// The worker bundles src/zod-lean/index.ts wherever code imports "zod" (wrangler.toml [alias]). It re-exports
// zod's own modules by their paths inside node_modules/zod, which is why package.json pins zod exactly: a new
// zod may move or add modules. This checks, against the installed zod, that the lean entry still provides
// every name Gatehouse takes from "zod" (directly, and through @hono/zod-openapi and the zod-to-openapi
// extension it applies), each member of `z` that src/ uses, and that schemas built from it validate as zod's do.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as zod from "zod";
import * as lean from "../../../src/zod-lean/index.ts";

type Namespace = Record<string, unknown>;
const zodZ = zod.z as unknown as Namespace;
const leanZ = lean.z as unknown as Namespace;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === "zod-lean" ? [] : sourceFiles(path);
    return e.name.endsWith(".ts") ? [path] : [];
  });
}

/** The value (not type-only) names a module's source imports from `from`, e.g. `import { z } from "zod"`. */
function namedImports(source: string, from: string): string[] {
  const names: string[] = [];
  for (const m of source.matchAll(/import\s+(type\s+)?\{([^}]*)\}\s*from\s*["']([^"']+)["']/g)) {
    if (m[1] || m[3] !== from) continue;
    for (const part of m[2]!.split(",")) {
      const name = part.trim();
      if (name && !name.startsWith("type ")) names.push(name.split(/\s+as\s+/)[0]!);
    }
  }
  return names;
}

const srcFiles = sourceFiles("src").map((path) => ({ path, text: readFileSync(path, "utf8") }));
const zodOpenapi = readFileSync("node_modules/@hono/zod-openapi/dist/index.mjs", "utf8");
const zodToOpenapi = readFileSync("node_modules/@asteasolutions/zod-to-openapi/dist/index.mjs", "utf8");

/** Names imported from "zod" itself: by src/ and by @hono/zod-openapi (both meet the lean entry in the worker). */
const fromZod = [...new Set([...srcFiles.flatMap((f) => namedImports(f.text, "zod")), ...namedImports(zodOpenapi, "zod")])].sort();

/**
 * Members of `z` used by src/ files that import `z` (from "zod", or from @hono/zod-openapi, which re-exports
 * zod's `z`), plus the zod classes zod-to-openapi's extendZodWithOpenApi reaches through the namespace it is
 * given (`zod.ZodType.prototype.openapi = ...`).
 */
const members = [
  ...new Set([
    ...srcFiles
      .filter((f) => namedImports(f.text, "zod").includes("z") || namedImports(f.text, "@hono/zod-openapi").includes("z"))
      .flatMap((f) => [...f.text.matchAll(/\bz\.([A-Za-z_$][\w$]*)/g)].map((m) => m[1]!)),
    ...[...zodToOpenapi.matchAll(/\bzod\.(Zod[A-Za-z]*)/g)].map((m) => m[1]!),
  ]),
].sort();
/** Members that exist at run time in zod (`z.infer` is a type only: nothing to provide). */
const valueMembers = members.filter((name) => zodZ[name] !== undefined);

describe("the lean zod entry (src/zod-lean/index.ts)", () => {
  it("finds what Gatehouse imports from zod", () => {
    // Guards the scan itself: an empty list would make the checks below pass vacuously.
    expect(fromZod).toContain("z");
    expect(valueMembers).toEqual(expect.arrayContaining(["object", "string", "coerce", "ZodError", "ZodType"]));
  });

  it("exports every name imported from zod, of the same kind as zod's", () => {
    for (const name of fromZod) {
      const value = (lean as Namespace)[name];
      expect(value, name).toBeDefined();
      expect(typeof value, name).toBe(typeof (zod as Namespace)[name]);
    }
  });

  it.each(valueMembers)("z.%s is defined, of the same kind as zod's", (name) => {
    expect(leanZ[name], name).toBeDefined();
    expect(typeof leanZ[name]).toBe(typeof zodZ[name]);
  });

  it("leaves out only the translated locales, fromJSONSchema and the schema compiler (both unused)", () => {
    expect(zodZ).toHaveProperty("locales");
    expect(leanZ).not.toHaveProperty("locales");
    expect(
      Object.keys(zodZ)
        .filter((k) => !(k in leanZ))
        .sort(),
    ).toEqual(["INVALID", "ZodCompileAsyncError", "ZodCompileUnsupportedError", "compile", "fromJSONSchema", "locales", "withParser"]);
  });

  it("validates a sample like zod, with the same English messages", () => {
    const sample = (z: typeof zod.z) =>
      z.object({
        username: z.string().min(1).max(32),
        email: z.email(),
        id: z.uuid(),
        port: z.coerce.number().int().min(0).max(65535).default(3000),
        role: z.enum(["owner", "member"]),
        tags: z.array(z.literal("a").or(z.literal("b"))),
        flags: z.record(z.string(), z.boolean()),
        extra: z.union([z.number(), z.unknown()]).optional(),
      });
    const inputs: unknown[] = [
      {
        username: "alice",
        email: "alice@example.com",
        id: "8f8c3a4e-1b2c-4d5e-8f90-123456789abc",
        role: "owner",
        tags: ["a"],
        flags: { x: true },
      },
      { username: "", email: "not an email", id: "nope", port: "70000", role: "admin", tags: ["c"], flags: { x: 1 } },
      {
        username: "bob",
        email: "bob@example.com",
        id: "8f8c3a4e-1b2c-4d5e-8f90-123456789abc",
        port: "8080",
        role: "member",
        tags: [],
        flags: {},
        extra: 1,
      },
      "not an object",
    ];
    const leanSchema = sample(lean.z as unknown as typeof zod.z);
    const zodSchema = sample(zod.z);
    for (const input of inputs) {
      const a = leanSchema.safeParse(input);
      const b = zodSchema.safeParse(input);
      expect(a.success).toBe(b.success);
      expect(a.success ? a.data : a.error.issues).toEqual(b.success ? b.data : b.error.issues);
      if (!a.success) expect(a.error).toBeInstanceOf(lean.z.ZodError);
    }
    expect(zodSchema.safeParse(inputs[0]).success).toBe(true);
    expect(zodSchema.safeParse(inputs[1]).success).toBe(false);
  });
});
