/**
 * Split a command line into words as Python's `shlex.split` does in POSIX mode (what Prefect's
 * `run_shell_script` runs a line without a shell with): whitespace separates words, single quotes
 * keep everything, double quotes keep everything but `\"` and `\\`, a backslash outside quotes
 * keeps the next character.
 */
import { ValidationError } from "../core/errors.ts";

export function shlexSplit(line: string): string[] {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let quote: "'" | '"' | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (quote === "'") {
      if (c === "'") quote = null;
      else word += c;
      continue;
    }
    if (quote === '"') {
      if (c === '"') quote = null;
      else if (c === "\\" && (line[i + 1] === '"' || line[i + 1] === "\\")) word += line[++i];
      else word += c;
      continue;
    }
    if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === "\\") {
      if (i + 1 >= line.length) throw new ValidationError(`No escaped character in: ${line}`);
      word += line[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote) throw new ValidationError(`No closing quotation in: ${line}`);
  if (inWord) words.push(word);
  return words;
}

/** Pipes, `&&`, `||`, `;` and redirections outside quotes: the line needs a shell (as Prefect decides). */
export function usesShellFeatures(line: string): boolean {
  const unquoted = line.replace(/'[^']*'/g, "").replace(/"[^"]*"/g, "");
  return /(?<!\|)\|(?!\|)|&&|\|\||;|>>?|</.test(unquoted);
}

/** `$NAME` and `${NAME}` from `env`, unknown ones left as they are, `$$` → `$` (Python's `safe_substitute`). */
export function expandEnvVars(text: string, env: NodeJS.ProcessEnv): string {
  return text.replace(
    /\$(?:(\$)|([_a-z][_a-z0-9]*)|\{([_a-z][_a-z0-9]*)\})/gi,
    (all, dollar: string | undefined, bare: string | undefined, braced: string | undefined) => {
      if (dollar) return "$";
      const value = env[(bare ?? braced) as string];
      return value ?? all;
    },
  );
}
