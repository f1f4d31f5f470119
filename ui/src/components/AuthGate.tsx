/**
 * Shows the app, or the login page while the server wants a credential the UI does not have:
 * `/ui-settings` says `auth: "BASIC"` and an API call was refused (or none is stored).
 */
import { useQueryClient } from "@tanstack/react-query";
import { type ReactNode, useEffect, useState } from "react";
import { storedCredential, UNAUTHORIZED_EVENT } from "../api/auth.ts";
import { uiSettings } from "../api/client.ts";
import { LoginPage } from "../pages/LoginPage.tsx";

export function AuthGate({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const [needsLogin, setNeedsLogin] = useState(false);

  useEffect(() => {
    let live = true;
    uiSettings()
      .then((settings) => {
        if (live && settings.auth === "BASIC" && storedCredential() === null) setNeedsLogin(true);
      })
      .catch(() => undefined); // an unreachable server is the pages' to report
    const refused = () => setNeedsLogin(true);
    window.addEventListener(UNAUTHORIZED_EVENT, refused);
    return () => {
      live = false;
      window.removeEventListener(UNAUTHORIZED_EVENT, refused);
    };
  }, []);

  if (needsLogin) {
    return (
      <LoginPage
        onLogin={() => {
          setNeedsLogin(false);
          void queryClient.invalidateQueries();
        }}
      />
    );
  }
  return <>{children}</>;
}
