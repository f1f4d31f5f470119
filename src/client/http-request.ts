/**
 * One HTTP request over Node's own `http`/`https` modules, through keep-alive agents: unlike
 * `fetch`, whose implementation loads on first use (tens of milliseconds in a fresh process — a
 * worker's or a served flow's first flow run pays it), these are part of Node's core. Idle
 * keep-alive sockets do not keep the process alive.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

const httpAgent = new HttpAgent({ keepAlive: true });
const httpsAgent = new HttpsAgent({ keepAlive: true });

/** Send `body` (text) with `headers`; resolves with the whole answer, rejects when unanswered. */
export function sendRequest(
  url: string,
  method: string,
  headers: Readonly<Record<string, string>>,
  body?: string,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const secure = url.startsWith("https:");
    const request = (secure ? httpsRequest : httpRequest)(
      url,
      {
        method,
        headers:
          body === undefined ? headers : { ...headers, "content-length": Buffer.byteLength(body) },
        agent: secure ? httpsAgent : httpAgent,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("error", reject);
        response.on("end", () => {
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            text: Buffer.concat(chunks).toString("utf8"),
          });
        });
      },
    );
    request.on("error", reject);
    request.end(body);
  });
}
