// The wire under every method: POST /api/v1/<method> with a JSON body, the
// key as HTTP Basic (or a session token as Bearer), retries of 5xx, 429 and
// network failures with jittered backoff that honour Retry-After, and one
// Idempotency-Key on every attempt of a call with side effects, so a retry
// never does the thing twice.
import { randomUUID } from "node:crypto";

/** How a client reaches the server and who it acts as. */
export interface VeridocOptions {
  /** The server, e.g. "https://id.example.com" (no trailing /api). */
  baseUrl: string;
  /** An API key pair; or sessionToken for the end-user methods. */
  publicKey?: string;
  secret?: string;
  /** A session's token (st_…), as the capture device holds it. */
  sessionToken?: string;
  /** Retries after the first attempt (default 2). */
  maxRetries?: number;
  /** Per-attempt timeout in milliseconds (default 60000). */
  timeoutMs?: number;
  /** The fetch to use (default: the global one). */
  fetch?: typeof fetch;
}

/** A page of a list method. */
export interface Page<T> {
  data: T[];
  has_more: boolean;
  next_cursor: string;
}

/** An answer other than 2xx, or a network failure (status 0). */
export class VeridocError extends Error {
  /** The API's error_name, e.g. "SessionNotFound"; "NetworkError" without an answer. */
  readonly errorName: string;
  /** The HTTP status; 0 when no answer came. */
  readonly status: number;
  /** The X-Request-Id of the answer, to quote to the operator. */
  readonly requestId?: string;
  /** Seconds the server asked to wait (Retry-After), when it did. */
  readonly retryAfter?: number;

  constructor(errorName: string, message: string, status: number, requestId?: string, retryAfter?: number) {
    super(message);
    this.name = "VeridocError";
    this.errorName = errorName;
    this.status = status;
    this.requestId = requestId;
    this.retryAfter = retryAfter;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Full jitter: a random wait up to 0.5 s doubled per retry, at most 8 s. */
function backoff(retry: number): number {
  return Math.random() * Math.min(8000, 500 * 2 ** retry);
}

export class Transport {
  private readonly base: string;
  private readonly auth: string;
  private readonly maxRetries: number;
  private readonly timeoutMs: number;
  private readonly fetch: typeof fetch;

  constructor(o: VeridocOptions) {
    if (!o.baseUrl) throw new TypeError("baseUrl is required");
    this.base = o.baseUrl.replace(/\/+$/, "");
    if (o.sessionToken) {
      this.auth = "Bearer " + o.sessionToken;
    } else if (o.publicKey && o.secret) {
      this.auth = "Basic " + Buffer.from(`${o.publicKey}:${o.secret}`).toString("base64");
    } else {
      throw new TypeError("give publicKey and secret, or sessionToken");
    }
    this.maxRetries = o.maxRetries ?? 2;
    this.timeoutMs = o.timeoutMs ?? 60_000;
    this.fetch = o.fetch ?? globalThis.fetch;
  }

  /** Calls a method; a call with side effects keeps one Idempotency-Key across its retries. */
  async call<T>(method: string, body: object, sideEffects: boolean): Promise<T> {
    const headers: Record<string, string> = { "Content-Type": "application/json", Authorization: this.auth };
    if (sideEffects) headers["Idempotency-Key"] = randomUUID();
    const payload = JSON.stringify(body ?? {});
    for (let retry = 0; ; retry++) {
      let res: Response;
      try {
        res = await this.fetch(`${this.base}/api/v1/${method}`, {
          method: "POST", headers, body: payload, signal: AbortSignal.timeout(this.timeoutMs),
        });
      } catch (e) {
        if (retry >= this.maxRetries) throw new VeridocError("NetworkError", `${method}: ${(e as Error).message}`, 0);
        await sleep(backoff(retry));
        continue;
      }
      const text = await res.text();
      if (res.ok) return JSON.parse(text) as T;
      const err = toError(res, text);
      if ((res.status < 500 && res.status !== 429) || retry >= this.maxRetries) throw err;
      await sleep(err.retryAfter !== undefined ? err.retryAfter * 1000 : backoff(retry));
    }
  }

  /** Yields every item of a list method, page after page, from req's cursor on. */
  async *paginate<T>(method: string, req: { cursor?: string }): AsyncGenerator<T> {
    let cursor = req.cursor;
    for (;;) {
      const page = await this.call<Page<T>>(method, { ...req, cursor }, false);
      yield* page.data;
      if (!page.has_more || !page.next_cursor) return;
      cursor = page.next_cursor;
    }
  }
}

function toError(res: Response, text: string): VeridocError {
  let name = "HTTP" + res.status;
  let message = text.slice(0, 500);
  try {
    const body = JSON.parse(text) as { error_name?: string; error_message?: string };
    if (body.error_name) name = body.error_name;
    if (body.error_message) message = body.error_message;
  } catch {
    // not the API's envelope (a proxy's page): keep the text
  }
  const after = Number.parseInt(res.headers.get("Retry-After") ?? "", 10);
  return new VeridocError(name, message, res.status, res.headers.get("X-Request-Id") ?? undefined,
    Number.isFinite(after) ? after : undefined);
}
