// Strips the types from the Node server's modules ahead of time, into build/node/ (the repository's layout:
// src/x.ts becomes build/node/src/x.js), so that the server `npm start` runs loads plain JavaScript. Run
// on .ts files, Node strips their types itself with swc compiled to WebAssembly, loaded into the server
// and kept for the process's life: about 16 MiB of its idle RSS (docs/performance.md, Memory). The output
// is what Node would run: the same stripper (module.stripTypeScriptTypes), which keeps every line and
// column, so stack traces point at the same positions as in the .ts files.
//   node scripts/build-node.ts ENTRY.ts...   (from the repository's root; prints nothing on success)
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { stripTypeScriptTypes } from "node:module";
import { dirname, join, relative, resolve, sep } from "node:path";

const ROOT = resolve(import.meta.dirname, "..");
export const BUILD_DIR = join(ROOT, "build", "node");
/** Directories a built module finds next to itself (by import.meta.url): copied as they are. */
const ASSET_DIRS = ["src/pages/static"];

/** Static and dynamic import specifiers in quotes (type-only imports are gone once the types are stripped). */
const SPECIFIER = /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(["'])([^"'\n]+)\2/g;

const packageImports = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { imports: Record<string, { default: string }> })
  .imports;

const outputOf = (file: string) => join(BUILD_DIR, relative(ROOT, file)).replace(/\.ts$/, ".js");

/** A specifier as seen from the built copy of `from`, and the .ts module it names (to build too), if any. */
function rewrite(specifier: string, from: string): { specifier: string; module?: string } {
  let target: string;
  if (specifier.startsWith("#")) {
    const mapped = packageImports[specifier];
    if (!mapped) throw new Error(`${relative(ROOT, from)}: ${specifier} is not in package.json's imports`);
    // The Node build runs on Node: the "default" condition, as Node itself would choose.
    target = join(ROOT, mapped.default);
  } else if (specifier.startsWith("./") || specifier.startsWith("../")) {
    target = resolve(dirname(from), specifier);
  } else {
    return { specifier }; // a package or node: builtin, resolved from build/node/ as from the repository
  }
  const module = target.endsWith(".ts") ? target : undefined;
  if (module && !existsSync(module)) throw new Error(`${relative(ROOT, from)}: ${specifier} does not exist`);
  let rel = relative(dirname(outputOf(from)), module ? outputOf(module) : target)
    .split(sep)
    .join("/");
  if (!rel.startsWith(".")) rel = `./${rel}`;
  return module ? { specifier: rel, module } : { specifier: rel };
}

/** Builds the entries and every module they import, transitively; returns the built files, the entries first. */
export function buildNode(entries: string[]): string[] {
  const queue = entries.map((e) => resolve(ROOT, e));
  const done = new Set<string>();
  for (let file = queue.shift(); file; file = queue.shift()) {
    if (done.has(file)) continue;
    done.add(file);
    const code = stripTypeScriptTypes(readFileSync(file, "utf8"), { mode: "strip" }).replace(SPECIFIER, (_m, head, quote, spec) => {
      const out = rewrite(spec, file);
      if (out.module) queue.push(out.module);
      return `${head}${quote}${out.specifier}${quote}`;
    });
    mkdirSync(dirname(outputOf(file)), { recursive: true });
    writeFileSync(outputOf(file), code);
  }
  for (const dir of ASSET_DIRS) cpSync(join(ROOT, dir), join(BUILD_DIR, dir), { recursive: true });
  return [...done].map(outputOf);
}

if (import.meta.main) buildNode(process.argv.slice(2));
