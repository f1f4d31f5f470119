/**
 * `logPrints`: inside a flow or task run that has it on, `console.log`/`info`/`debug` (INFO),
 * `console.warn` (WARNING) and `console.error` (ERROR) become that run's log records. Everywhere
 * else the console behaves as usual.
 */
import { runScope } from "../engine/context.ts";

let installed = false;

export function installLogPrints(): void {
  if (installed) return;
  installed = true;
  const patch = (method: "log" | "info" | "debug" | "warn" | "error", level: number) => {
    const original = console[method].bind(console);
    console[method] = (...args: unknown[]) => {
      const scope = runScope.getStore();
      const target = scope?.task ?? scope?.flow;
      if (target?.logPrints) target.logger.log(level, ...args);
      else original(...args);
    };
  };
  patch("log", 20);
  patch("info", 20);
  patch("debug", 20);
  patch("warn", 30);
  patch("error", 40);
}
