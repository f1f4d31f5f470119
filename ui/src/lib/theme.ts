/** Light/dark theme: follows the system unless the user picked one (kept in localStorage). */
import { createContext, useContext, useEffect, useState } from "react";

export type Theme = "light" | "dark";
const KEY = "prefect-ts-theme";

function systemTheme(): Theme {
  return window.matchMedia?.("(prefers-color-scheme: dark)").matches ? "dark" : "light";
}

function savedTheme(): Theme | null {
  try {
    const t = localStorage.getItem(KEY);
    return t === "dark" || t === "light" ? t : null;
  } catch {
    return null;
  }
}

export function useTheme(): [Theme, () => void] {
  const [theme, setTheme] = useState<Theme>(() => savedTheme() ?? systemTheme());
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);
  const toggle = () => {
    const next: Theme = theme === "dark" ? "light" : "dark";
    try {
      localStorage.setItem(KEY, next);
    } catch {
      // private mode: the choice lasts for this page only
    }
    setTheme(next);
  };
  return [theme, toggle];
}

/** The theme in force, for components (charts) that draw their own colours. */
export const ThemeContext = createContext<Theme>("light");

export function useCurrentTheme(): Theme {
  return useContext(ThemeContext);
}
