import { userAnd } from "../users/target.ts";

/** `{user}` and `{keyid}`. The key is found by id alone; `{user}` only has to be a user the caller can see. */
export const KeyParams = userAnd("keyid", "Key ID");
