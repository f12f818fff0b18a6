// Response validators built from the OpenAPI document the app serves, with every object closed: a field
// the document does not name is an error, not something a client may quietly receive. The document is
// what Coder's clients are generated against, so it is the contract; the zod schemas behind it are how
// it is written down. No JSON Schema validator is installed (no ajv), so the document's schemas are turned
// back into zod with zod's own `z.fromJSONSchema`, after this module has closed them.
import { z } from "@hono/zod-openapi";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Schema = { [key: string]: Json };

export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
}

interface Operation {
  responses: Record<string, { content?: { "application/json"?: { schema?: Schema } } }>;
}

const isSchema = (value: Json | undefined): value is Schema => typeof value === "object" && value !== null && !Array.isArray(value);

const COMPONENT_REF = "#/components/schemas/";

/**
 * `schema` with its references replaced by the component they name, its `allOf` merged into one object
 * (closing each part separately would refuse the fields the other parts add) and `additionalProperties:
 * false` on every object that lists its properties. An object that lists none, or says what its extra
 * keys hold (a map), is left as documented.
 */
export function closeSchema(schema: Schema, components: Record<string, Schema>, seen: readonly string[] = []): Schema {
  const ref = schema.$ref;
  if (typeof ref === "string") {
    if (!ref.startsWith(COMPONENT_REF)) throw new Error(`unsupported reference ${ref}`);
    const name = ref.slice(COMPONENT_REF.length);
    const target = components[name];
    if (!target) throw new Error(`reference to a missing component ${name}`);
    // The document has no recursive components; one added later must not loop here.
    if (seen.includes(name)) throw new Error(`recursive component ${name}`);
    return closeSchema(target, components, [...seen, name]);
  }
  const out: Schema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === "properties" && isSchema(value)) {
      out.properties = Object.fromEntries(
        Object.entries(value).map(([name, sub]) => [name, isSchema(sub) ? closeSchema(sub, components, seen) : sub]),
      );
    } else if ((key === "items" || key === "additionalProperties" || key === "not") && isSchema(value)) {
      out[key] = closeSchema(value, components, seen);
    } else if ((key === "anyOf" || key === "oneOf" || key === "allOf") && Array.isArray(value)) {
      out[key] = value.map((sub) => (isSchema(sub) ? closeSchema(sub, components, seen) : sub));
    } else {
      out[key] = value;
    }
  }
  // Go's int64 durations (nanoseconds: the 100-year default token lifetime is 3.15576e18) are past 2^53,
  // and zod's integers refuse unsafe ones; JSON.parse reads them as whole doubles, so that is the check.
  if (out.type === "integer" && out.format === "int64") Object.assign(out, { type: "number", multipleOf: 1 });
  const merged = Array.isArray(out.allOf) ? mergeAllOf(out) : out;
  if (isSchema(merged.properties) && merged.additionalProperties === undefined) merged.additionalProperties = false;
  return merged;
}

/** One object schema from `allOf` parts that are all objects (what the document's `allOf`s are). */
function mergeAllOf(schema: Schema): Schema {
  const { allOf, ...rest } = schema;
  const parts = (allOf as Json[]).filter(isSchema);
  const properties: Schema = {};
  const required = new Set<string>();
  for (const part of parts) {
    if (part.type !== "object" || !isSchema(part.properties)) throw new Error("allOf of a non-object schema is not supported");
    Object.assign(properties, part.properties);
    for (const name of (part.required as string[] | undefined) ?? []) required.add(name);
  }
  return { ...rest, type: "object", properties, required: [...required] };
}

/** The operation's schema for one status, closed; `undefined` when the document gives that status no body. */
export function responseSchema(doc: OpenApiDocument, path: string, method: string, status: number): Schema | undefined {
  const operation = doc.paths[path]?.[method.toLowerCase()];
  if (!operation) throw new Error(`${method} ${path} is not in the OpenAPI document`);
  const response = operation.responses[String(status)];
  if (!response) throw new Error(`${method} ${path} does not document the status ${status}`);
  const schema = response.content?.["application/json"]?.schema;
  return schema ? closeSchema(schema, doc.components?.schemas ?? {}) : undefined;
}

/** A zod validator for a closed schema; its metadata goes to a registry of its own, not the app's. */
export function validatorFor(schema: Schema): z.ZodType {
  return z.fromJSONSchema(schema as Parameters<typeof z.fromJSONSchema>[0], { registry: z.registry(), defaultTarget: "draft-2020-12" });
}

/** Every problem `body` has against `schema`, one line each (`path: message`); empty when it conforms. */
export function problems(schema: Schema, body: unknown): string[] {
  const result = validatorFor(schema).safeParse(body);
  if (result.success) return [];
  return result.error.issues.map((issue) => `${issue.path.join(".") || "(body)"}: ${issue.message}${unrecognized(issue)}`);
}

const unrecognized = (issue: z.core.$ZodIssue) => (issue.code === "unrecognized_keys" ? ` (${issue.keys.join(", ")})` : "");
