/**
 * How the API reads a request: its body as JSON, and what text it refuses anywhere in a request.
 *
 * - Content types: a body sent as `application/json` (any `charset` parameter) or without a
 *   content type (old Prefect clients send none) is read as JSON; any other type — a form
 *   (`application/x-www-form-urlencoded`, `multipart/form-data`), `text/plain`, … — is answered
 *   415 `{"detail": …}` and never parsed, so a web page cannot post to the API with a plain HTML
 *   form. An empty body is no body (a route whose body is optional uses its defaults).
 * - Text the database cannot hold: a NUL character (U+0000) or a lone UTF-16 surrogate anywhere in
 *   a JSON body (values and keys), a path parameter or the query is a 422 in Prefect's validation
 *   shape, naming where it was found — on both databases alike (PostgreSQL cannot store either in
 *   `text` or `jsonb`). The body's raw text is looked at first: only a body holding `\u0000`, a
 *   `\uD8..`–`\uDF..` escape or a raw NUL has its parsed value walked, so large batches pay nothing.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { PrefectValidationDetail } from "./validation-detail.ts";

/**
 * The longest path parameter Fastify routes (its default is 100): a stored name, percent-encoded
 * (3 characters a byte), fits.
 */
export const MAX_PATH_PARAM_LENGTH = 8192;

/** A request refused before validation, answered 422 in Prefect's shape (see `http-errors.ts`). */
export class RejectedInputError extends Error {
  readonly statusCode = 422;
  readonly code = "PREFECT_TS_REJECTED_INPUT";
  readonly details: PrefectValidationDetail[];
  /** What the request's body held, as parsed (echoed as `request_body`). */
  readonly body: unknown;
  constructor(details: PrefectValidationDetail[], body: unknown) {
    super(details[0]?.msg ?? "Invalid request");
    this.details = details;
    this.body = body;
  }
}

export const NUL_MESSAGE = "Value error, text may not contain a NUL character (U+0000)";
export const SURROGATE_MESSAGE = "Value error, text may not contain a lone UTF-16 surrogate";

/** `String.prototype.isWellFormed` (Node 20; ES2024, beyond the compiler's library). */
const isWellFormed = (String.prototype as unknown as { isWellFormed: (this: string) => boolean })
  .isWellFormed;

/** Why the database cannot hold `text`, or null when it can. */
export function unstorableText(text: string): string | null {
  if (text.includes("\u0000")) return NUL_MESSAGE;
  if (!isWellFormed.call(text)) return SURROGATE_MESSAGE;
  return null;
}

/**
 * Whether the raw JSON text of a body may hold a NUL or a lone surrogate once parsed: it has a
 * `\u0000` or `\uD800`–`\uDFFF` escape (any case), or a raw NUL. Cheap (a native search): a body
 * without them is not walked.
 */
export function mayHoldUnstorableText(json: string): boolean {
  if (json.includes("\u0000")) return true;
  if (!json.includes("\\u")) return false;
  return /\\u(?:0000|[dD][89a-fA-F])/.test(json);
}

/** One place a value holds text the database cannot store. */
export interface UnstorableTextAt {
  path: (string | number)[];
  message: string;
  /** The string at fault (a value, or a key). */
  input: string;
}

/** A spot in a value being walked: its key in its parent, and the parent's spot. */
interface Spot {
  value: unknown;
  key: string | number | null;
  parent: Spot | null;
}

function pathOf(spot: Spot, last?: string): (string | number)[] {
  const path: (string | number)[] = last === undefined ? [] : [last];
  for (let s: Spot | null = spot; s !== null && s.key !== null; s = s.parent) path.push(s.key);
  return path.reverse();
}

/**
 * Every string (values and object keys) of a parsed JSON value the database cannot hold, up to
 * `limit` of them. Iterative, and linear in the size of the value: any depth.
 */
export function findUnstorableText(value: unknown, limit = 20): UnstorableTextAt[] {
  const found: UnstorableTextAt[] = [];
  const stack: Spot[] = [{ value, key: null, parent: null }];
  while (stack.length > 0 && found.length < limit) {
    const spot = stack.pop() as Spot;
    const v = spot.value;
    if (typeof v === "string") {
      const message = unstorableText(v);
      if (message) found.push({ path: pathOf(spot), message, input: v });
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], key: i, parent: spot });
    } else if (v !== null && typeof v === "object") {
      const keys = Object.keys(v);
      for (let i = keys.length - 1; i >= 0; i--) {
        const key = keys[i] as string;
        const message = unstorableText(key);
        if (message) found.push({ path: pathOf(spot, key), message, input: key });
        stack.push({ value: (v as Record<string, unknown>)[key], key, parent: spot });
      }
    }
  }
  return found;
}

/** The detail items of a 422 for what `findUnstorableText` found in a part of the request. */
function details(where: string, found: UnstorableTextAt[]): PrefectValidationDetail[] {
  return found.map((f) => ({
    type: "value_error",
    loc: [where, ...f.path],
    msg: f.message,
    input: f.input,
  }));
}

/** The body's value once parsed, or a `RejectedInputError` when it holds text that cannot be stored. */
function checkedBody(text: string, value: unknown): unknown {
  if (!mayHoldUnstorableText(text)) return value;
  const found = findUnstorableText(value);
  if (found.length > 0) throw new RejectedInputError(details("body", found), value);
  return value;
}

/** Whether the request sends a body (a length, or a chunked transfer). */
function hasBody(request: FastifyRequest): boolean {
  const length = Number(request.headers["content-length"] ?? 0);
  return length > 0 || request.headers["transfer-encoding"] !== undefined;
}

/**
 * Read request bodies as JSON, as described above, and refuse text that cannot be stored in the
 * path and the query. Call before the routes are added.
 */
export function registerJsonBody(app: FastifyInstance): void {
  // old Prefect clients send bodies without a content type: they are JSON
  app.addHook("onRequest", async (request) => {
    if (!request.headers["content-type"] && hasBody(request)) {
      request.headers["content-type"] = "application/json";
    }
  });
  const parseJson = app.getDefaultJsonParser("error", "error");
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("application/json", { parseAs: "string" }, (request, body, done) => {
    const text = String(body);
    if (text === "") {
      done(null, undefined);
      return;
    }
    void parseJson(request, text, (error, value) => {
      if (error) {
        done(error, undefined);
        return;
      }
      let checked: unknown;
      try {
        checked = checkedBody(text, value);
      } catch (rejected) {
        done(rejected as RejectedInputError, undefined);
        return;
      }
      done(null, checked);
    });
  });
  // path parameters and the query are small: always checked
  app.addHook("preValidation", async (request) => {
    const found: PrefectValidationDetail[] = [];
    const params = request.params as Record<string, unknown> | undefined;
    if (params && typeof params === "object") {
      found.push(...details("path", findUnstorableText(params)));
    }
    const query = request.query as Record<string, unknown> | undefined;
    if (query && typeof query === "object") {
      found.push(...details("query", findUnstorableText(query)));
    }
    if (found.length > 0) throw new RejectedInputError(found, request.body);
  });
}
