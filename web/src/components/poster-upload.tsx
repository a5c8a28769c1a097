// A scheduled event's poster, chosen by its owner in the dashboard's edit form (#26 item 4): the
// picture it has now (or the one drawn for it) and a file input that sends the chosen picture
// at once, with its own type (PUT /api/streams/events/:id/poster). Size and type are checked here
// first, so a picture the API would refuse is not sent at all.
import { useRef, useState } from "preact/hooks";
import { ApiError, request, type VideoEvent } from "../api.ts";
import { FieldError, FormProblem, invalid } from "./form.tsx";
import { Poster } from "./poster.tsx";

const TYPES = ["image/jpeg", "image/png", "image/webp"];
const MAX_MB = 5;
/** The name the field's problems go by here (the API names the body or its content-type). */
const FIELD = "poster";
const ID = "e-poster";
const CHOOSE = "Choose a JPEG, PNG or WebP picture";

type Posters = Pick<VideoEvent, "posterUrl" | "posterSmallUrl">;

/** The API's details about a poster (written for programs), in a person's words. */
const WORDS: [RegExp, (match: RegExpExecArray) => string][] = [
  [/^send image\/jpeg/, () => CHOOSE],
  [
    /does not begin as an? image\/(\w+)/,
    (m) => `This file is not really a ${m[1]?.toUpperCase()} picture: choose another`,
  ],
  [/that can be read/, () => "This picture cannot be read: choose another"],
  [/at most \d+ bytes/, () => `Choose a picture of at most ${MAX_MB} MB`],
  [/frames are its poster/, () => "The event has started: its stream's frames are its poster"],
];

const inWords = (detail: string) => {
  for (const [pattern, say] of WORDS) {
    const match = pattern.exec(detail);
    if (match) return say(match);
  }
  return detail;
};

/** The API's answer, its problems said in words and those about the picture named FIELD. */
function translated(error: unknown): unknown {
  if (!(error instanceof ApiError)) return error;
  const errors = error.errors.map(({ field, detail }) => ({
    field: field === "body" || field === "content-type" ? FIELD : field,
    detail: inWords(detail),
  }));
  return new ApiError(
    error.status,
    error.title,
    error.detail,
    errors,
    error.retryAfter,
    error.traceId,
  );
}

/** What is wrong with the file before it is sent, said as the API's field problems are. */
function refusal(file: File): ApiError | undefined {
  const mb = file.size / 1024 / 1024;
  const detail = !TYPES.includes(file.type)
    ? CHOOSE
    : mb > MAX_MB
      ? `This picture is ${mb.toFixed(1)} MB: choose one of at most ${MAX_MB} MB`
      : undefined;
  return detail ? new ApiError(400, "Not sent", detail, [{ field: FIELD, detail }]) : undefined;
}

export function PosterUpload({ event, channelName }: { event: VideoEvent; channelName: string }) {
  const [posters, setPosters] = useState<Posters>(event);
  const [saving, setSaving] = useState<"uploading" | "saved">();
  const [error, setError] = useState<unknown>();
  // Only the last choice's answer is shown (a second file may be chosen while one uploads).
  const latest = useRef(0);
  const choose = async (e: Event) => {
    const input = e.currentTarget as HTMLInputElement;
    const file = input.files?.[0];
    input.value = ""; // so the same file may be chosen again
    if (!file) return;
    const attempt = ++latest.current;
    const refused = refusal(file);
    setError(refused);
    setSaving(refused ? undefined : "uploading");
    if (refused) return;
    try {
      const saved = await request<Posters>(`/api/streams/events/${event.id}/poster`, {
        method: "PUT",
        body: file,
      });
      if (attempt !== latest.current) return;
      setPosters(saved);
      setSaving("saved");
    } catch (err) {
      if (attempt !== latest.current) return;
      setError(translated(err));
      setSaving(undefined);
    }
  };
  return (
    <div class="field poster-field">
      <label for={ID}>Poster (a JPEG, PNG or WebP picture of up to {MAX_MB} MB)</label>
      <div class="poster-preview">
        <Poster
          event={{ id: event.id, channelId: event.channelId, ...posters }}
          channelName={channelName}
          sizes="320px"
          lazy={false}
        />
      </div>
      <input
        id={ID}
        type="file"
        accept={TYPES.join(",")}
        onChange={choose}
        {...invalid(error, FIELD, ID)}
      />
      <FieldError error={error} field={FIELD} id={ID} />
      <span role="status" class="muted">
        {saving === "uploading" ? "Uploading…" : saving === "saved" ? "Saved." : ""}
      </span>
      <FormProblem error={error} fields={[FIELD]} />
    </div>
  );
}
