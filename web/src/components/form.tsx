// A form's errors said once: each field's next to it (tied to it for screen readers), the rest
// above the submit button. Forms stay uncontrolled, so what was typed stays typed.
import { useEffect, useRef } from "preact/hooks";
import { formMessage, messageFor } from "../form-errors.ts";
import { TraceLink } from "./trace-link.tsx";

/** The attributes tying the input `id` to its message, when the API named its `field`. */
export function invalid(error: unknown, field: string, id: string) {
  return messageFor(error, field)
    ? { "aria-invalid": true as const, "aria-describedby": `${id}-error` }
    : {};
}

export function FieldError({ error, field, id }: { error: unknown; field: string; id: string }) {
  const message = messageFor(error, field);
  return message ? (
    <span id={`${id}-error`} class="field-error">
      {message}
    </span>
  ) : null;
}

/**
 * What the form says apart from its fields (`fields`: those it shows with their messages). On a
 * new error, focus moves to the first field in error, so a screen reader reads its message.
 */
export function FormProblem({ error, fields }: { error: unknown; fields: readonly string[] }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (error === undefined) return;
    ref.current?.closest("form")?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [error]);
  const message = formMessage(error, fields);
  return (
    <div ref={ref}>
      {message && (
        <p class="error" role="alert">
          {message}
          <TraceLink error={error} />
        </p>
      )}
    </div>
  );
}
