// `npm run keys:generate`: prints a new Ed25519 private JWK list for SIGNING_KEYS. To rotate, put the new
// key first and keep the old ones after it until every token they signed has expired.
import { TokenService } from "../src/auth/tokens.ts";

console.log(JSON.stringify([await TokenService.generateKey()]));
