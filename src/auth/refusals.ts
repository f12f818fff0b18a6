// The session middleware's 401, in Coder's shape with its WWW-Authenticate header
// (coderd/httpmw/apikey.go, buildWWWAuthenticateHeader).
import { ApiError, errorBody } from "../http/errors.ts";

export const SIGNED_OUT = "You are signed out or your session has expired. Please sign in again to continue.";

export function unauthorized(detail: string, message = SIGNED_OUT): ApiError {
  const expired = /expired/i.test(`${message} ${detail}`);
  return new ApiError(401, errorBody(message, detail), {
    "WWW-Authenticate": `Bearer realm="coder", error="invalid_token", error_description="${
      expired ? "The access token has expired" : "The access token is invalid"
    }"`,
  });
}
