// Optional: a finished recording copied to S3-compatible storage (S3_BUCKET), file by file with
// multipart uploads for the large ones. Local disk stays the default and the source of truth.
import { createReadStream } from "node:fs";
import { extname, join } from "node:path";
import { S3Client } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { recordingFiles } from "./playlists.ts";

const CONTENT_TYPES: Record<string, string> = {
  ".m3u8": "application/vnd.apple.mpegurl",
  ".ts": "video/mp2t",
  ".m4s": "video/iso.segment",
  ".mp4": "video/mp4",
  ".jpg": "image/jpeg",
};

export interface S3Target {
  bucket: string;
  prefix: string;
  endpoint?: string;
}

export function s3Client(target: S3Target): S3Client {
  // Credentials and region come from the SDK's usual chain (AWS_* variables, profiles, roles).
  return new S3Client({
    ...(target.endpoint && { endpoint: target.endpoint, forcePathStyle: true }),
  });
}

/** Uploads every file of the recording under PREFIX/EVENT_ID/; returns the keys written. */
export async function uploadRecording(
  client: S3Client,
  target: S3Target,
  eventId: string,
  dir: string,
): Promise<string[]> {
  const keys: string[] = [];
  for (const file of recordingFiles(dir)) {
    const key = `${target.prefix}${eventId}/${file}`;
    const upload = new Upload({
      client,
      params: {
        Bucket: target.bucket,
        Key: key,
        Body: createReadStream(join(dir, file)),
        ContentType: CONTENT_TYPES[extname(file)] ?? "application/octet-stream",
        // Recordings never change once written.
        CacheControl: "public, max-age=31536000, immutable",
      },
    });
    await upload.done();
    keys.push(key);
  }
  return keys;
}
