// The shell: header (home, search, bell, following, dashboard, operations for operators,
// account) and the page for the current path.

import { isOperator } from "./api.ts";
import { Bell } from "./components/bell.tsx";
import { lazy } from "./components/lazy.tsx";
import { SearchBox } from "./components/search-box.tsx";
import { VerifyEmailNotice } from "./components/verify-notice.tsx";
import { useInbox } from "./notifications.ts";
import { Account } from "./pages/account.tsx";
import { Channel } from "./pages/channel.tsx";
import { Home } from "./pages/home.tsx";
import { Search } from "./pages/search.tsx";
import { Watch } from "./pages/watch.tsx";
import { useLocation } from "./router.ts";
import { useSession } from "./session.ts";

// The pages mailed links open, Following and the creator dashboard: their own chunks, off the
// home page's budget.
const ForgotPassword = lazy(() =>
  import("./pages/password-reset.tsx").then((m) => m.ForgotPassword),
);
const ResetPassword = lazy(() => import("./pages/password-reset.tsx").then((m) => m.ResetPassword));
const VerifyEmail = lazy(() => import("./pages/verify-email.tsx").then((m) => m.VerifyEmail));
const Following = lazy(() => import("./pages/following.tsx").then((m) => m.Following));
const Dashboard = lazy(() => import("./pages/dashboard.tsx").then((m) => m.Dashboard));
// The operator console: operators only, and its charts are nobody else's download.
const Ops = lazy(() => import("./pages/ops.tsx").then((m) => m.Ops));
const OpsTrace = lazy(() => import("./pages/ops-trace.tsx").then((m) => m.OpsTrace));

function Page({ url }: { url: URL }) {
  const path = url.pathname;
  const watch = /^\/watch\/([A-Za-z0-9_-]+)$/.exec(path);
  if (watch?.[1]) return <Watch key={watch[1]} eventId={watch[1]} />;
  const channel = /^\/c\/([a-z0-9-]+)$/.exec(path);
  if (channel?.[1]) return <Channel key={channel[1]} slug={channel[1]} />;
  const trace = /^\/ops\/traces\/([0-9a-f]{32})$/.exec(path);
  if (trace?.[1]) return <OpsTrace key={trace[1]} traceId={trace[1]} />;
  if (path === "/") return <Home />;
  if (path === "/search") return <Search params={url.searchParams} />;
  if (path === "/account") return <Account params={url.searchParams} />;
  if (path === "/dashboard") return <Dashboard />;
  if (path === "/following") return <Following />;
  if (path === "/ops") return <Ops />;
  if (path === "/forgot-password") return <ForgotPassword />;
  if (path === "/reset-password") return <ResetPassword />;
  if (path === "/verify-email") return <VerifyEmail />;
  return (
    <section>
      <h1>Not found</h1>
      <p>
        Nothing lives at this address. <a href="/">Back home</a>
      </p>
    </section>
  );
}

export function App() {
  const url = useLocation();
  const user = useSession();
  const inbox = useInbox(Boolean(user));
  if (!/^\/(watch|c)\//.test(url.pathname)) document.title = "Stream Platform";
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <a href="/" class="logo">
          Stream Platform
        </a>
        <SearchBox
          key={url.pathname === "/search" ? "search" : "other"}
          initial={url.searchParams.get("q") ?? ""}
        />
        <nav aria-label="Account">
          {user ? (
            <>
              <Bell inbox={inbox} />
              <a href="/following">Following</a>
              <a href="/dashboard">Dashboard</a>
              {isOperator(user) && <a href="/ops">Operations</a>}
              <a href="/account">{user.displayName}</a>
            </>
          ) : user === null ? (
            <>
              <a href="/account">Sign in</a>
              <a href="/account?mode=up" class="button primary">
                Sign up
              </a>
            </>
          ) : null}
        </nav>
      </header>
      <main id="main" tabIndex={-1}>
        {user && <VerifyEmailNotice user={user} />}
        <Page url={url} />
      </main>
    </>
  );
}
