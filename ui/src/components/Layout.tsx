/** The frame of every page: navigation, the API status and the theme toggle. */
import { Link, Outlet } from "@tanstack/react-router";
import { useHealth } from "../api/queries.ts";
import { ThemeContext, useTheme } from "../lib/theme.ts";

const NAV = [
  { to: "/dashboard", label: "Dashboard", icon: "▦" },
  { to: "/runs", label: "Runs", icon: "▶" },
  { to: "/flows", label: "Flows", icon: "⇶" },
  { to: "/deployments", label: "Deployments", icon: "◷" },
  { to: "/work-pools", label: "Work Pools", icon: "▤" },
  { to: "/blocks", label: "Blocks", icon: "▣" },
  { to: "/variables", label: "Variables", icon: "≔" },
  { to: "/concurrency-limits", label: "Concurrency", icon: "◔" },
  { to: "/artifacts", label: "Artifacts", icon: "❏" },
  { to: "/assets", label: "Assets", icon: "◈" },
] as const;

export function Layout() {
  const [theme, toggle] = useTheme();
  const health = useHealth();
  return (
    <ThemeContext.Provider value={theme}>
      <div className="app">
        <aside className="sidebar">
          <Link to="/dashboard" className="brand">
            <span className="brand-mark">P</span>
            <span>
              Prefect <strong>TS</strong>
            </span>
          </Link>
          <nav>
            {NAV.map((item) => (
              <Link
                key={item.to}
                to={item.to}
                className="nav-link"
                activeProps={{ className: "nav-link active" }}
              >
                <span className="nav-icon" aria-hidden>
                  {item.icon}
                </span>
                {item.label}
              </Link>
            ))}
          </nav>
          <div className="sidebar-foot">
            <span className={health.isError ? "api-status down" : "api-status up"}>
              {health.isError
                ? "API unreachable"
                : health.isSuccess
                  ? "API connected"
                  : "Connecting…"}
            </span>
            <button
              type="button"
              className="btn ghost theme-toggle"
              onClick={toggle}
              aria-label="Toggle dark mode"
            >
              {theme === "dark" ? "☀ Light" : "☾ Dark"}
            </button>
          </div>
        </aside>
        <main className="content">
          {health.isError && (
            <div className="banner error" role="alert">
              Cannot reach the Prefect TS API. Is the server running? Start it with{" "}
              <code>prefect-ts server start</code>.
            </div>
          )}
          <Outlet />
        </main>
      </div>
    </ThemeContext.Provider>
  );
}
