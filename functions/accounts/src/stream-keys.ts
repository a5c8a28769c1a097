// Stream keys: long random secrets. Stored as a SHA-256 (to find the channel when a stream is
// published) and AES-256-GCM encrypted (so the owner can see it again); never in clear.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";

export function newStreamKey(): string {
  return `sk_${randomBytes(24).toString("base64url")}`;
}

export function hashStreamKey(key: string): Buffer {
  return createHash("sha256").update(key).digest();
}

function encryptionKey(): Buffer {
  const secret = process.env.STREAM_KEY_SECRET;
  if (!secret || secret.length < 32) {
    throw new Error(
      "STREAM_KEY_SECRET must be set to at least 32 characters (local/ generates one)",
    );
  }
  return createHash("sha256").update(secret).digest();
}

export function encryptStreamKey(key: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", encryptionKey(), iv);
  const encrypted = Buffer.concat([cipher.update(key, "utf8"), cipher.final()]);
  return [iv, cipher.getAuthTag(), encrypted].map((part) => part.toString("base64url")).join(".");
}

export function decryptStreamKey(stored: string): string {
  const [iv, tag, encrypted] = stored.split(".").map((part) => Buffer.from(part, "base64url"));
  if (!iv || !tag || !encrypted) throw new Error("malformed encrypted stream key");
  const decipher = createDecipheriv("aes-256-gcm", encryptionKey(), iv);
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(encrypted), decipher.final()]).toString("utf8");
}
