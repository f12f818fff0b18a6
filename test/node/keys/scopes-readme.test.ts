// The scope table of docs/tokens-and-scopes.md is generated from the catalogue `can()` enforces (src/auth/scopes.ts), between
// the `scopes:start` / `scopes:end` markers. This test fails when the two drift; to regenerate, run it
// with UPDATE_DOCS=1.
import { readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Grants } from "../../../src/auth/rbac.ts";
import { SCOPE_ALIASES, SCOPE_CATALOGUE, type ScopeKind } from "../../../src/auth/scopes.ts";

const DOC = new URL("../../../docs/tokens-and-scopes.md", import.meta.url);
const START = "<!-- scopes:start -->";
const END = "<!-- scopes:end -->";
const KIND_ORDER: ScopeKind[] = ["special", "composite", "low-level"];

function grantsText(grants: Grants): string {
  return Object.entries(grants)
    .map(([resource, actions]) => {
      const what = resource === "*" ? "every resource" : `\`${resource}\``;
      const how = actions!.includes("*") ? "every action" : actions!.join(", ");
      return `${what}: ${how}`;
    })
    .join("; ");
}

function renderScopesBlock(): string {
  const rows = [...SCOPE_CATALOGUE]
    .sort((a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) || (a.name < b.name ? -1 : 1))
    .map((s) => {
      const allows = s.kind === "low-level" ? grantsText(s.grants) : `${s.description} (${grantsText(s.grants)})`;
      return `| \`${s.name}\` | ${s.kind} | ${allows} |`;
    });
  const aliases = Object.entries(SCOPE_ALIASES).map(([alias, name]) => `\`${alias}\` → \`${name}\``);
  return [
    START,
    "<!-- Generated from src/auth/scopes.ts: edit the data there, then run",
    "     UPDATE_DOCS=1 npx vitest run --project node test/node/keys/scopes-readme.test.ts -->",
    "",
    "A token is created with one or more of these scopes (`POST /api/v2/users/{user}/keys/tokens`, field",
    "`scopes`; `GET /api/v2/auth/scopes` lists them). Every request made with the token must be allowed by",
    "the user's roles **and** by at least one of its scopes, and must touch only objects its allow list names:",
    "a scope narrows what the user may do, it never adds to it. Sessions from login and `POST /keys` carry",
    `\`coder:all\`. Accepted aliases, stored under the canonical name: ${aliases.join(", ")}.`,
    "",
    "| scope | kind | allows |",
    "|---|---|---|",
    ...rows,
    END,
  ].join("\n");
}

describe("docs/tokens-and-scopes.md scope table", () => {
  it("matches the scope catalogue the code enforces", () => {
    const text = readFileSync(DOC, "utf8");
    const start = text.indexOf(START);
    const end = text.indexOf(END);
    expect(start, "docs/tokens-and-scopes.md has no scopes:start marker").toBeGreaterThanOrEqual(0);
    expect(end, "docs/tokens-and-scopes.md has no scopes:end marker").toBeGreaterThan(start);
    const current = text.slice(start, end + END.length);
    const wanted = renderScopesBlock();
    if (process.env.UPDATE_DOCS === "1" && current !== wanted) {
      writeFileSync(DOC, text.slice(0, start) + wanted + text.slice(end + END.length));
      return;
    }
    expect(current, "the scope table is stale: run with UPDATE_DOCS=1 to regenerate it").toBe(wanted);
  });
});
