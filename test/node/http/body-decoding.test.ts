// The JSON body reader every route shares: malformed, empty, non-object and oversized bodies are 4xx in
// Coder's shape, and the content type is ignored, as Go's decoder ignores it.
import { describe, expect, it } from "vitest";
import { API, expectCommonHeaders, json, OWNER, required, useTestApp, sendJsonText } from "../../support/harness.ts";

const { app } = useTestApp({ owner: true });

describe("body decoding", () => {
  it("answers malformed JSON with 400 Request body must be valid JSON.", async () => {
    const res = await sendJsonText(app, "POST", "/users/login", '{"email": "owner@example.com",');
    expect(res.status).toBe(400);
    expectCommonHeaders(app, res);
    const body = await json(res);
    expect(body.message).toBe("Request body must be valid JSON.");
    expect(body.detail).toEqual(expect.any(String));
    expect(body.detail).not.toBe("");
    expect(body).not.toHaveProperty("validations");
  });

  it("answers an empty body with detail EOF", async () => {
    const res = await app.request(`${API}/users/first`, { method: "POST", headers: { "content-type": "application/json" } });
    expect(res.status).toBe(400);
    expect(await json(res)).toEqual({ message: "Request body must be valid JSON.", detail: "EOF" });
  });

  it("answers a whitespace-only body without a content type with detail EOF", async () => {
    const res = await app.request(`${API}/users/validate-password`, { method: "POST", body: "  \n" });
    expect(res.status).toBe(400);
    expect(await json(res)).toEqual({ message: "Request body must be valid JSON.", detail: "EOF" });
  });

  it("decodes a text/plain body as JSON, as Go's decoder ignores the content type", async () => {
    const res = await app.request(`${API}/users/validate-password`, {
      method: "POST",
      headers: { "content-type": "text/plain;charset=UTF-8" },
      body: JSON.stringify({ password: "MySecurePassword!" }),
    });
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ valid: true, details: "" });
  });

  it("decodes a body sent with no content type at all", async () => {
    const res = await app.request(`${API}/users/login`, {
      method: "POST",
      body: JSON.stringify({ email: OWNER.email, password: OWNER.password }),
    });
    expect(res.status).toBe(201);
    expect(await json<{ session_token: string }>(res)).toEqual({ session_token: expect.any(String) });
  });

  it.each([
    ["[1,2]", "array"],
    ['"text"', "string"],
    ["42", "number"],
    ["true", "boolean"],
  ])("answers a JSON body %s that is not an object with 400 Request body must be valid JSON.", async (body, kind) => {
    const res = await app.request(`${API}/users/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    });
    expect(res.status).toBe(400);
    expect(await json(res)).toEqual({ message: "Request body must be valid JSON.", detail: `cannot unmarshal ${kind} into an object` });
  });

  it("decodes a null body as an empty object, so every required field fails validation", async () => {
    const res = await sendJsonText(app, "POST", "/users/login", "null");
    expect(res.status).toBe(400);
    expect(await json(res)).toEqual({
      message: "Validation failed.",
      validations: [
        { field: "email", detail: required() },
        { field: "password", detail: required() },
      ],
    });
  });

  it("refuses a body over 1 MiB with 413", async () => {
    const big = JSON.stringify({ password: "x".repeat(1024 * 1024 + 16) });
    const res = await sendJsonText(app, "POST", "/users/validate-password", big);
    expect(res.status).toBe(413);
    expectCommonHeaders(app, res);
    const body = await json(res);
    expect(body.message).toBe("Request body too large.");
    expect(body.detail).toContain("1048576");
  });

  it("refuses a streamed body over 1 MiB without a Content-Length with 413", async () => {
    const chunk = new TextEncoder().encode("x".repeat(64 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 20) return controller.close();
        sent++;
        controller.enqueue(chunk);
      },
    });
    const res = await app.request(`${API}/users/validate-password`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: stream,
      duplex: "half",
    } as RequestInit);
    expect(res.status).toBe(413);
    expect((await json(res)).message).toBe("Request body too large.");
  });

  it("accepts a body just under the limit (the limit is not off by a lot)", async () => {
    const res = await sendJsonText(app, "POST", "/users/validate-password", JSON.stringify({ password: "x".repeat(1024 * 1024 - 64) }));
    expect(res.status).toBe(200);
    // A run of one letter is weak, and Coder judges the strength before the length.
    expect(await json(res)).toEqual({
      valid: false,
      details:
        "insecure password, try including more special characters, using uppercase letters, using numbers or using a longer password",
    });
  });
});
