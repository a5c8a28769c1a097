// The web app's words for the API's field problems: zod's and the API's details (the texts its
// tests rely on) become sentences a person would write; said once, next to the field.
import { describe, expect, it } from "vitest";
import { ApiError } from "../../src/api.ts";
import { fieldMessage, formMessage, messageFor } from "../../src/form-errors.ts";

const invalid = (...errors: { field: string; detail: string }[]) =>
  new ApiError(
    400,
    "Invalid request",
    errors.map((e) => `${e.field}: ${e.detail}`).join("; "),
    errors,
  );

describe("form errors", () => {
  it("says what to do instead of what the validator found", () => {
    expect(fieldMessage("title", "Too small: expected string to have >=1 characters")).toBe(
      "Enter a title",
    );
    expect(fieldMessage("displayName", "Invalid input: expected string, received undefined")).toBe(
      "Enter your name",
    );
    expect(fieldMessage("password", "at least 8 characters")).toBe("Use at least 8 characters");
    expect(fieldMessage("title", "Too big: expected string to have <=200 characters")).toBe(
      "Use at most 200 characters",
    );
    expect(fieldMessage("tags", "Too big: expected array to have <=20 items")).toBe(
      "Use at most 20 tags",
    );
    expect(fieldMessage("email", "Invalid email address")).toBe(
      "Enter an email address like name@example.com",
    );
    expect(fieldMessage("startsAt", "an RFC 3339 date-time, e.g. 2030-01-31T18:00:00Z")).toBe(
      "Enter a date and time",
    );
    expect(fieldMessage("startsAt", "a date between the years 2000 and 2100")).toBe(
      "Choose a date between 2000 and 2100",
    );
    expect(fieldMessage("slug", 'the slug "news" is taken')).toBe(
      "This address is taken: choose another",
    );
    expect(fieldMessage("password", "does not match")).toBe(
      "This password does not match your account",
    );
    expect(
      fieldMessage(
        "startsAt",
        "is in the past: an event can only be scheduled for a time that has not passed yet",
      ),
    ).toBe("This time has passed: choose a time from now on");
    expect(
      fieldMessage("startsAt", "cannot change: the event is live, so it has started already"),
    ).toBe("The event is live: its start time can no longer change");
    // A detail it has no words for is kept, as a sentence.
    expect(fieldMessage("startsAt", "must be in the future")).toBe("Must be in the future");
  });

  it("finds a field's message, an item's too (tags.2 is about tags)", () => {
    const error = invalid(
      { field: "title", detail: "Too small: expected string to have >=1 characters" },
      { field: "tags.2", detail: "Too big: expected string to have <=50 characters" },
    );
    expect(messageFor(error, "title")).toBe("Enter a title");
    expect(messageFor(error, "tags")).toBe("Use at most 50 characters");
    expect(messageFor(error, "description")).toBeUndefined();
    expect(messageFor(new Error("boom"), "title")).toBeUndefined();
  });

  it("says nothing more for the form when every field at fault shows its message", () => {
    const error = invalid({
      field: "title",
      detail: "Too small: expected string to have >=1 characters",
    });
    expect(formMessage(error, ["title", "description"])).toBeUndefined();
    // A field the form does not show is said above the button, in words.
    expect(formMessage(error, ["description"])).toBe("Enter a title.");
    expect(formMessage(undefined, ["title"])).toBeUndefined();
    // A problem that is no field's keeps the API's own words.
    expect(
      formMessage(new ApiError(401, "Sign-in failed", "wrong email or password"), ["email"]),
    ).toBe("Sign-in failed: wrong email or password");
    expect(formMessage(new TypeError("x"), [])).toBe("Something went wrong. Try again.");
  });
});
