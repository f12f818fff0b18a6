// Ed25519 key pairs for Git over SSH, made with WebCrypto (the same code on Node and Workers) and written
// in OpenSSH's formats: the public key as an authorized_keys line, the private key as an
// "openssh-key-v1" PEM block (unencrypted), which is what git/ssh load.

const te = new TextEncoder();

function u32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n);
  return b;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** SSH wire "string": a uint32 length, then the bytes. */
const sshString = (bytes: Uint8Array | string) => {
  const b = typeof bytes === "string" ? te.encode(bytes) : bytes;
  return concat(u32(b.length), b);
};

function base64(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

function base64urlDecode(s: string): Uint8Array {
  const bin = atob(s.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

const KEY_TYPE = "ssh-ed25519";

export interface SshKeyPair {
  publicKey: string;
  privateKey: string;
}

export function publicKeyBlob(rawPublic: Uint8Array): Uint8Array {
  return concat(sshString(KEY_TYPE), sshString(rawPublic));
}

export async function generateSshKeyPair(): Promise<SshKeyPair> {
  const pair = (await crypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"])) as CryptoKeyPair;
  const rawPublic = new Uint8Array((await crypto.subtle.exportKey("raw", pair.publicKey)) as ArrayBuffer);
  const jwk = (await crypto.subtle.exportKey("jwk", pair.privateKey)) as JsonWebKey;
  const seed = base64urlDecode(jwk.d!);
  const blob = publicKeyBlob(rawPublic);

  const check = crypto.getRandomValues(new Uint8Array(4));
  let secret = concat(
    check,
    check,
    sshString(KEY_TYPE),
    sshString(rawPublic),
    sshString(concat(seed, rawPublic)),
    sshString(""), // comment
  );
  // Pad to the cipher block size (8 for "none") with 1, 2, 3, …
  const pad = (8 - (secret.length % 8)) % 8;
  secret = concat(
    secret,
    Uint8Array.from({ length: pad }, (_, i) => i + 1),
  );

  const body = concat(
    te.encode("openssh-key-v1\0"),
    sshString("none"),
    sshString("none"),
    sshString(""),
    u32(1),
    sshString(blob),
    sshString(secret),
  );
  const lines = base64(body)
    .match(/.{1,70}/g)!
    .join("\n");
  return {
    publicKey: `${KEY_TYPE} ${base64(blob)}`,
    privateKey: `-----BEGIN OPENSSH PRIVATE KEY-----\n${lines}\n-----END OPENSSH PRIVATE KEY-----\n`,
  };
}
