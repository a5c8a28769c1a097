// A component loaded on first use (its own chunk): the chat's code stays off the home page.
import type { ComponentType } from "preact";
import { useEffect, useState } from "preact/hooks";

export function lazy<P extends object>(load: () => Promise<ComponentType<P>>): ComponentType<P> {
  let loaded: ComponentType<P> | undefined;
  let loading: Promise<ComponentType<P>> | undefined;
  return function Lazy(props: P) {
    const [component, setComponent] = useState(() => loaded);
    const [failed, setFailed] = useState(false);
    useEffect(() => {
      if (component) return;
      loading ??= load().then((c) => {
        loaded = c;
        return c;
      });
      loading.then(
        (c) => setComponent(() => c),
        () => {
          loading = undefined;
          setFailed(true);
        },
      );
    }, []);
    if (failed)
      return (
        <p class="error" role="alert">
          This part of the page could not be loaded; reload to try again.
        </p>
      );
    const Component = component;
    return Component ? <Component {...props} /> : null;
  };
}
