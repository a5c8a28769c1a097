// Who is signed in: the API knows (the session is an HttpOnly cookie); the app asks /api/me.
import { useEffect, useState } from "preact/hooks";
import { ApiError, request, type User } from "./api.ts";
import { forgetViewToken } from "./heartbeats.ts";

let current: User | null | undefined;
const listeners = new Set<(user: User | null) => void>();

function publish(user: User | null): void {
  current = user;
  for (const listener of listeners) listener(user);
}

/** The API's `signed_in` cookie (no secret in it) says whether there is a session to ask for. */
export const mayBeSignedIn = () => document.cookie.split("; ").includes("signed_in=1");

export async function refreshSession(): Promise<User | null> {
  if (!mayBeSignedIn()) {
    publish(null);
    return null;
  }
  try {
    publish(await request<User>("/api/me"));
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) publish(null);
    else throw error;
  }
  return current ?? null;
}

export async function signIn(email: string, password: string): Promise<void> {
  await request("/api/sessions", { body: { email, password } });
  await refreshSession();
}

export async function signUp(email: string, password: string, displayName: string) {
  await request("/api/users", { body: { email, password, displayName } });
  await signIn(email, password);
}

export async function signOut(): Promise<void> {
  await request("/api/sessions", { method: "DELETE" });
  forgetViewToken();
  publish(null);
}

/** Deletes the account (its password asked again); the API clears the session cookies. */
export async function deleteAccount(password: string): Promise<void> {
  await request("/api/me", { method: "DELETE", body: { password } });
  forgetViewToken();
  publish(null);
}

/** undefined while unknown, null when signed out. */
export function useSession(): User | null | undefined {
  const [user, setUser] = useState(current);
  useEffect(() => {
    listeners.add(setUser);
    // A page's effect runs before the header's: it may have learnt who is signed in already.
    if (current !== undefined) setUser(current);
    else refreshSession().catch(() => setUser(null));
    return () => listeners.delete(setUser);
  }, []);
  return user;
}
