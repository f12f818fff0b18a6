import { defineConfig } from "drizzle-kit";

// drizzle-kit only generates SQL here; every backend applies the same folder at start-up.
export default defineConfig({
  dialect: "postgresql",
  schema: "./src/db/schema.ts",
  out: "./drizzle",
});
