/**
 * Password hashing and random secrets, on node:crypto only: scrypt with a
 * per-password salt for passwords (compared in constant time), SHA-256 for
 * random tokens and session ids (they carry 256 bits of entropy, so a fast
 * hash is enough and lets the store look them up by hash).
 */
import { Buffer } from "node:buffer";
import { createHash, randomBytes, scrypt, timingSafeEqual } from "node:crypto";

/** scrypt cost parameters; N is stored in each hash, so it can be raised later. */
export interface ScryptParams {
  readonly N: number;
  readonly r: number;
  readonly p: number;
}

/**
 * The default cost, one of OWASP's scrypt settings: N = 2^15, r = 8, p = 3
 * (32 MiB; about 0.4 s per hash on the libuv thread pool, not the event loop).
 */
export const DEFAULT_SCRYPT: ScryptParams = { N: 32768, r: 8, p: 3 };

const KEY_LENGTH = 32;

function derive(password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(
      password.normalize("NFC"),
      salt,
      KEY_LENGTH,
      { ...params, maxmem: 256 * params.N * params.r + 1024 * 1024 },
      (err, key) => (err ? reject(err) : resolve(key)),
    )
  );
}

/** Hashes a password: `scrypt$N$r$p$salt$hash` (salt and hash in base64url). */
export async function hashPassword(
  password: string,
  params: ScryptParams = DEFAULT_SCRYPT,
): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, params);
  return [
    "scrypt",
    params.N,
    params.r,
    params.p,
    salt.toString("base64url"),
    key.toString("base64url"),
  ]
    .join("$");
}

/** True when `password` matches a hash made by {@link hashPassword}; constant-time compare. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split("$");
  if (scheme !== "scrypt" || !hash) return false;
  const expected = Buffer.from(hash, "base64url");
  const key = await derive(password, Buffer.from(salt, "base64url"), {
    N: Number(n),
    r: Number(r),
    p: Number(p),
  });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** A random secret of `bytes` bytes, base64url (for tokens, session ids, passwords). */
export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString("base64url");
}

/** SHA-256 of a text, hex: how tokens and session ids are stored. */
export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
