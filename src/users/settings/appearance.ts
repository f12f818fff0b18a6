// Appearance settings (Coder's coderd/users.go `userAppearanceSettings`): the stored keys, the allowed values and the one view.
import { z } from "@hono/zod-openapi";
import { apiError } from "../../http/errors.ts";
import { requiredString, tag } from "../../http/validation.ts";
import type { SettingsDocument } from "./document.ts";

export const TERMINAL_FONTS = ["ibm-plex-mono", "fira-code", "source-code-pro", "jetbrains-mono", "geist-mono"] as const;
/** The concrete themes the web UI renders; sync-mode slots must name one of them. */
export const THEME_NAMES = ["light", "light-protan-deuter", "light-tritan", "dark", "dark-protan-deuter", "dark-tritan"] as const;
/** `""` is "not chosen yet": clients then fall back to `theme_preference`. */
export const THEME_MODES = ["", "single", "sync"] as const;
/** Legacy values that meant "follow the system"; sending one clears theme_mode so clients migrate it. */
export const LEGACY_AUTO_THEMES: readonly string[] = ["auto", "auto-protan-deuter", "auto-tritan"];

/** user_configs keys, as Coder names them. */
export const APPEARANCE_KEYS = {
  themePreference: "theme_preference",
  terminalFont: "terminal_font",
  themeMode: "theme_mode",
  themeLight: "theme_light",
  themeDark: "theme_dark",
} as const;
export const APPEARANCE_CONFIG_KEYS: readonly string[] = Object.values(APPEARANCE_KEYS);

export const AppearanceSchema = z
  .object({
    theme_preference: z.string(),
    terminal_font: z.string(),
    theme_mode: z.string(),
    theme_light: z.string(),
    theme_dark: z.string(),
  })
  .openapi("UserAppearanceSettings");

export type AppearanceView = z.infer<typeof AppearanceSchema>;

/** Unset keys read as `""`, as Coder answers. */
export function appearanceView(stored: ReadonlyMap<string, string>): AppearanceView {
  const get = (key: string) => stored.get(key) ?? "";
  return {
    theme_preference: get(APPEARANCE_KEYS.themePreference),
    terminal_font: get(APPEARANCE_KEYS.terminalFont),
    theme_mode: get(APPEARANCE_KEYS.themeMode),
    theme_light: get(APPEARANCE_KEYS.themeLight),
    theme_dark: get(APPEARANCE_KEYS.themeDark),
  };
}

const themeSlot = () =>
  z
    .string(tag("oneof"))
    .refine((v) => v === "" || (THEME_NAMES as readonly string[]).includes(v), tag("oneof"))
    .optional();

export const UpdateAppearanceBody = z
  .object({
    theme_preference: requiredString(),
    // Checked by the handler: an unknown or empty font has its own message, not a validation entry.
    terminal_font: z.string(tag("oneof")).optional(),
    theme_mode: z.enum(THEME_MODES, tag("oneof")).optional(),
    theme_light: themeSlot(),
    theme_dark: themeSlot(),
  })
  .superRefine((body, ctx) => {
    if (body.theme_mode !== "sync") return;
    // Sync mode switches between two themes, so both must be named.
    for (const field of ["theme_light", "theme_dark"] as const) {
      if (!body[field]) {
        ctx.addIssue({ code: "custom", path: [field], message: tag("required_if").error({ input: body[field] ?? "" }) });
      }
    }
  })
  .openapi("UpdateUserAppearanceSettingsRequest");

export type UpdateAppearance = z.infer<typeof UpdateAppearanceBody>;

/**
 * Which keys a PUT writes. theme_preference and terminal_font always; an omitted theme_mode leaves the
 * mode and slots alone (older clients know nothing of them) unless theme_preference is a legacy auto
 * value; `sync` writes both slots; `single` writes only the slots that were sent.
 */
export function appearanceWrites(body: UpdateAppearance): Map<string, string> {
  const writes = new Map<string, string>([
    [APPEARANCE_KEYS.themePreference, body.theme_preference],
    [APPEARANCE_KEYS.terminalFont, body.terminal_font ?? ""],
  ]);
  const mode = body.theme_mode ?? "";
  if (mode !== "") writes.set(APPEARANCE_KEYS.themeMode, mode);
  else if (LEGACY_AUTO_THEMES.includes(body.theme_preference)) writes.set(APPEARANCE_KEYS.themeMode, "");
  const light = body.theme_light ?? "";
  const dark = body.theme_dark ?? "";
  if (mode === "sync" || (mode === "single" && light !== "")) writes.set(APPEARANCE_KEYS.themeLight, light);
  if (mode === "sync" || (mode === "single" && dark !== "")) writes.set(APPEARANCE_KEYS.themeDark, dark);
  return writes;
}

/** Coder answers an empty or unknown font with this message alone (no validations entry). */
function refuseUnsupportedFont(body: UpdateAppearance): void {
  if (!(TERMINAL_FONTS as readonly string[]).includes(body.terminal_font ?? "")) throw apiError(400, "Unsupported font family.");
}

/** GET and PUT /users/{user}/appearance, mounted by document.ts. */
export const appearanceDocument: SettingsDocument<typeof AppearanceSchema, typeof UpdateAppearanceBody> = {
  path: "appearance",
  noun: "appearance",
  schema: AppearanceSchema,
  body: UpdateAppearanceBody,
  keys: APPEARANCE_CONFIG_KEYS,
  view: appearanceView,
  check: refuseUnsupportedFont,
  writes: appearanceWrites,
};
