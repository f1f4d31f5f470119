/**
 * Errors as Prefect's server answers them: request validation → 422
 * `{exception_message, exception_detail, request_body}`, missing objects → 404 `{detail}`, a
 * violated unique or foreign key constraint → 409 `{detail}` (Prefect's IntegrityError handler),
 * anything unexpected → 500 `{exception_message: "Internal Server Error"}` (logged), contention
 * on the database → 503. Every error the API returns goes through here.
 */

import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { hasZodFastifySchemaValidationErrors } from "fastify-type-provider-zod";
import { ErrorCode, INTEGRITY_CONFLICT, isPrefectTsError } from "../core/errors.ts";
import type { AppLogger } from "../services/context.ts";
import { isConstraintViolation } from "../storage/database-errors.ts";
import { RejectedInputError } from "./json-body.ts";
import { type PrefectValidationDetail, prefectValidationDetails } from "./validation-detail.ts";

/** How deep a 422 echoes the request's body; deeper values are cut (`"…"`). */
const ECHO_DEPTH = 64;

/**
 * What a 422 echoes of the request's body: the body, with anything nested deeper than
 * `ECHO_DEPTH` cut — a body nested thousands deep must not break writing the answer.
 */
function echoedBody(body: unknown): unknown {
  if (body === undefined || body === null || typeof body !== "object") return body ?? null;
  return cutDeep(body, ECHO_DEPTH);
}

/** A copy of `value` down to `depth` levels (iterative: any depth in, bounded depth out). */
function cutDeep(value: object, depth: number): unknown {
  const root: { v: unknown } = { v: null };
  const stack: {
    from: unknown;
    into: Record<string | number, unknown>;
    key: string | number;
    level: number;
  }[] = [{ from: value, into: root as unknown as Record<string, unknown>, key: "v", level: 0 }];
  while (stack.length > 0) {
    const { from, into, key, level } = stack.pop() as (typeof stack)[number];
    if (from === null || typeof from !== "object") {
      into[key] = from;
    } else if (level >= depth) {
      into[key] = "…";
    } else if (Array.isArray(from)) {
      const copy: unknown[] = new Array(from.length);
      into[key] = copy;
      for (let i = 0; i < from.length; i++) {
        stack.push({
          from: from[i],
          into: copy as unknown as Record<number, unknown>,
          key: i,
          level: level + 1,
        });
      }
    } else {
      const copy: Record<string, unknown> = {};
      into[key] = copy;
      // keys set in the body's order; values filled as they are taken from the stack
      const entries = Object.entries(from);
      for (const [k] of entries) copy[k] = undefined;
      for (const [k, v] of entries) stack.push({ from: v, into: copy, key: k, level: level + 1 });
    }
  }
  return root.v;
}

/** 422 in Prefect's shape. */
export function sendValidationError(
  reply: FastifyReply,
  request: FastifyRequest,
  details: PrefectValidationDetail[],
  body: unknown = request.body,
): FastifyReply {
  return reply.code(422).send({
    exception_message: "Invalid request received.",
    exception_detail: details.map((d) => ("input" in d ? { ...d, input: echoedBody(d.input) } : d)),
    request_body: echoedBody(body),
  });
}

function isDatabaseBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === "SQLITE_BUSY" || code === "SQLITE_LOCKED" || code === "40001" || code === "40P01";
}

/** Prefect's answer to an `IntegrityError` (a unique or foreign key constraint violated). */
export { INTEGRITY_CONFLICT };

const UUID_SEGMENT =
  "[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}";

/**
 * A route's path (`/api/flows/:id`) as a pattern for request paths; an id parameter matches only
 * a UUID, as Prefect's typed path parameters do (`/api/flows/bulk_delete` is not a flow).
 */
function pathPattern(url: string): RegExp {
  const escaped = url
    .replace(/[.+?^${}()|[\]\\]/g, "\\$&")
    .replace(/:([^/]+)/g, (_, name: string) => (/(^|_)id$/.test(name) ? UUID_SEGMENT : "[^/]+"));
  return new RegExp(`^${escaped}/?$`);
}

/**
 * Fastify's `frameworkErrors`: a URL it cannot decode (a percent-encoding that is not UTF-8) or a
 * path parameter too long to route, answered in Prefect's shape instead of Fastify's.
 */
export function answerFrameworkError(
  error: FastifyError,
  _request: FastifyRequest,
  reply: FastifyReply,
): void {
  if (error.code === "FST_ERR_MAX_PARAM_LENGTH") {
    void reply.code(414).send({ detail: "URI Too Long" });
  } else if (error.code === "FST_ERR_BAD_URL") {
    void reply.code(400).send({ detail: "Invalid URL: a path segment is not valid UTF-8" });
  } else {
    void reply.code(500).send({ exception_message: "Internal Server Error" });
  }
}

/**
 * Install Prefect's error answers. Call before the routes are added: a request for an API path
 * that is served, with another method, is answered 405 (as Starlette does), which needs them.
 */
export function installErrorHandlers(app: FastifyInstance, log: AppLogger): void {
  const apiRoutes: { methods: string[]; pattern: RegExp }[] = [];
  app.addHook("onRoute", (route) => {
    if (!route.url.startsWith("/api/")) return;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    apiRoutes.push({ methods: methods.map(String), pattern: pathPattern(route.url) });
  });
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (hasZodFastifySchemaValidationErrors(error)) {
      const context = error.validationContext ?? "body";
      // a path parameter of the wrong shape (e.g. not a UUID) matches no route in Prefect: 404
      if (context === "params") return reply.code(404).send({ detail: "Not Found" });
      const source = { body: request.body, querystring: request.query, headers: request.headers }[
        context
      ];
      // FastAPI's names of the request's parts
      const names: Record<string, string> = { querystring: "query", headers: "header" };
      const where = names[context] ?? context;
      return sendValidationError(
        reply,
        request,
        error.validation.flatMap((issue) => prefectValidationDetails(where, source, issue)),
      );
    }
    if (
      error.code === "FST_ERR_CTP_INVALID_JSON_BODY" ||
      error.code === "FST_ERR_CTP_EMPTY_JSON_BODY"
    ) {
      return sendValidationError(reply, request, [
        { type: "json_invalid", loc: ["body"], msg: `JSON decode error: ${error.message}` },
      ]);
    }
    if (error instanceof RejectedInputError) {
      return sendValidationError(reply, request, error.details, error.body);
    }
    if (error.code === "FST_ERR_CTP_BODY_TOO_LARGE") {
      return reply.code(413).send({ detail: "Request body is too large." });
    }
    if (error.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE") {
      return reply.code(415).send({
        detail: `${error.message}: the API takes JSON bodies, as application/json`,
      });
    }
    if (isPrefectTsError(error)) {
      if (error.code === ErrorCode.OBJECT_NOT_FOUND)
        return reply.code(404).send({ detail: error.message });
      if (error.code === ErrorCode.CONFLICT) return reply.code(409).send({ detail: error.message });
      if (error.code === ErrorCode.OBJECT_ALREADY_EXISTS)
        return reply.code(409).send({ detail: error.message });
      if (error.code === ErrorCode.CONCURRENCY_SLOTS_UNAVAILABLE) {
        // 423 with Prefect's estimate of when to ask again (as Python writes a float)
        const retryAfter = (error as { retryAfterSeconds?: unknown }).retryAfterSeconds;
        if (typeof retryAfter === "number" && Number.isFinite(retryAfter)) {
          reply.header(
            "retry-after",
            Number.isInteger(retryAfter) ? `${retryAfter}.0` : `${retryAfter}`,
          );
        }
        return reply.code(423).send({ detail: error.message });
      }
      if (error.code === ErrorCode.CONCURRENCY_REQUEST_INVALID)
        return reply.code(422).send({ detail: error.message });
      if (error.code === ErrorCode.VALIDATION) {
        return sendValidationError(reply, request, [
          { type: "value_error", loc: ["body"], msg: error.message },
        ]);
      }
    }
    if (isConstraintViolation(error)) {
      log.warn({ err: error, url: request.url }, "database integrity error");
      return reply.code(409).send({ detail: INTEGRITY_CONFLICT });
    }
    if (isDatabaseBusy(error))
      return reply.code(503).send({ exception_message: "Service Unavailable" });
    if (typeof error.statusCode === "number" && error.statusCode >= 400 && error.statusCode < 500) {
      return reply.code(error.statusCode).send({ detail: error.message });
    }
    log.error({ err: error, url: request.url }, "unhandled error");
    return reply.code(500).send({ exception_message: "Internal Server Error" });
  });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split("?")[0] ?? "";
    const allowed = new Set<string>();
    for (const route of apiRoutes) {
      if (route.pattern.test(path)) for (const m of route.methods) allowed.add(m);
    }
    if (allowed.size > 0 && !allowed.has(request.method)) {
      return reply
        .code(405)
        .header("allow", [...allowed].join(", "))
        .send({ detail: "Method Not Allowed" });
    }
    return reply.code(404).send({ detail: "Not Found" });
  });
}
