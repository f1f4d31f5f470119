/**
 * How `PREFECT_*` variables are read: each kind of value (text, URL, boolean, whole and decimal
 * numbers within bounds, durations, log levels, lists of status codes, heartbeat frequencies)
 * accepted as Prefect accepts it, and every bad variable named in one ERR_SETTINGS error that says
 * what to give instead.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ErrorCode, isPrefectTsError } from "../../src/core/errors.ts";
import { loadSettings } from "../../src/settings/settings.ts";

function problems(env: Record<string, string>): string {
  try {
    loadSettings(env);
  } catch (error) {
    assert.ok(isPrefectTsError(error) && error.code === ErrorCode.SETTINGS, String(error));
    return error.message;
  }
  assert.fail(`${JSON.stringify(env)} was accepted`);
}

describe("reading PREFECT_* settings", () => {
  it("reads each kind of value as Prefect does", () => {
    const s = loadSettings({
      PREFECT_HOME: "/tmp/h",
      PREFECT_API_URL: "http://127.0.0.1:4200/api",
      PREFECT_LOGGING_LEVEL: "debug",
      PREFECT_LOGGING_LOG_PRINTS: "Yes",
      PREFECT_UI_ENABLED: "0",
      PREFECT_CLIENT_MAX_RETRIES: "0",
      PREFECT_CLIENT_RETRY_EXTRA_CODES: "500, 502,",
      PREFECT_TASK_DEFAULT_RETRY_DELAY_SECONDS: "0.5",
      PREFECT_SERVER_API_PORT: "0",
      PREFECT_SERVER_EVENTS_RETENTION_PERIOD: "PT1H",
      PREFECT_SERVER_CSRF_TOKEN_EXPIRATION: "90",
      PREFECT_FLOWS_HEARTBEAT_FREQUENCY: "off",
      PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS: "2.5",
    });
    assert.equal(s.home, "/tmp/h");
    assert.equal(s.apiUrl, "http://127.0.0.1:4200/api");
    assert.equal(s.loggingLevel, "DEBUG");
    assert.equal(s.logPrints, true);
    assert.equal(s.uiEnabled, false);
    assert.equal(s.clientMaxRetries, 0);
    assert.deepEqual(s.clientRetryExtraCodes, [500, 502]);
    assert.equal(s.taskDefaultRetryDelaySeconds, 0.5);
    assert.equal(s.serverApiPort, 0);
    assert.equal(s.eventsRetentionSeconds, 3600);
    assert.equal(s.serverCsrfTokenExpirationSeconds, 90);
    assert.equal(s.heartbeatSeconds, null);
    // Prefect 3's PREFECT_SERVER_SERVICES_* name for a PREFECT_API_SERVICES_* setting
    assert.equal(s.scheduler.loopSeconds, 2.5);
    assert.equal(s.databaseUrl, "/tmp/h/prefect.db");
  });

  it("names every bad variable in one error, saying what to give", () => {
    const message = problems({
      PREFECT_API_URL: "not a url",
      PREFECT_LOGGING_LEVEL: "LOUD",
      PREFECT_UI_ENABLED: "maybe",
      PREFECT_CLIENT_MAX_RETRIES: "-1",
      PREFECT_CLIENT_RETRY_EXTRA_CODES: "500,abc",
      PREFECT_SERVER_API_PORT: "70000",
      PREFECT_TASK_RUNNER_MAX_CONCURRENCY: "1.5",
      PREFECT_SERVER_EVENTS_RETENTION_PERIOD: "a week",
      PREFECT_FLOWS_HEARTBEAT_FREQUENCY: "10",
      PREFECT_API_SERVICES_SCHEDULER_LOOP_SECONDS: "0",
    });
    for (const [name, says] of [
      ["PREFECT_API_URL", "must be a URL such as http://127.0.0.1:4200/api"],
      ["PREFECT_LOGGING_LEVEL", "not one of DEBUG, INFO, WARNING, ERROR, CRITICAL"],
      ["PREFECT_UI_ENABLED", "give true or false"],
      ["PREFECT_CLIENT_MAX_RETRIES", "whole number of retries (0 or more)"],
      ["PREFECT_CLIENT_RETRY_EXTRA_CODES", "not a list of HTTP status codes"],
      ["PREFECT_SERVER_API_PORT", "port number from 0 to 65535"],
      ["PREFECT_TASK_RUNNER_MAX_CONCURRENCY", "whole number, 1 or more"],
      ["PREFECT_SERVER_EVENTS_RETENTION_PERIOD", "ISO 8601 duration"],
      ["PREFECT_FLOWS_HEARTBEAT_FREQUENCY", "30 or more"],
      ["PREFECT_API_SERVICES_SCHEDULER_LOOP_SECONDS", "more than 0"],
    ] as const) {
      const line = message.split("\n").find((l) => l.includes(`${name}:`));
      assert.ok(line?.includes(says), `${name}: ${line ?? "(not named)"}\n${message}`);
    }
  });

  it("leaves unset and empty variables at their defaults", () => {
    const s = loadSettings({ PREFECT_LOGGING_LEVEL: "", PREFECT_SERVER_API_PORT: "" });
    assert.equal(s.loggingLevel, "INFO");
    assert.equal(s.serverApiPort, 4200);
  });
});
