import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../deps.ts";
import { validationHook } from "./validation.ts";

/** Every router shares the validation hook, so a failing schema always answers in Coder's shape. */
export const newRouter = () => new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
export type Router = ReturnType<typeof newRouter>;
