// Veridoc for TypeScript and JavaScript (Node.js 18 or later).
//
//   import { Veridoc } from "veridoc";
//   const v = new Veridoc({ baseUrl, publicKey, secret });
//   const s = await v.session.create({ reference: "order-17" });
//   for await (const s of v.session.listAll({ state: "APPROVED" })) { … }
import { createHmac, timingSafeEqual } from "node:crypto";

import { Services } from "./api.gen.js";
import { Transport, type VeridocOptions } from "./transport.js";

export * from "./api.gen.js";
export { VeridocError, type Page, type VeridocOptions } from "./transport.js";

/** Header values as fetch (Headers), Node's http (IncomingHttpHeaders) or a plain object give them. */
export type WebhookHeaders = Headers | Record<string, string | string[] | undefined>;

export class Veridoc extends Services {
  constructor(options: VeridocOptions) {
    super(new Transport(options));
  }

  /**
   * Tells whether a callback was signed with the account's webhook secret
   * (Standard Webhooks: webhook-id, webhook-timestamp, webhook-signature)
   * and is at most toleranceSeconds old or ahead. Pass the body exactly as
   * received, before parsing it.
   */
  static verifyWebhook(body: string | Uint8Array, headers: WebhookHeaders, secret: string, toleranceSeconds = 300): boolean {
    const get = (name: string): string | undefined => {
      if (headers instanceof Headers) return headers.get(name) ?? undefined;
      const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
      const v = key === undefined ? undefined : headers[key];
      return Array.isArray(v) ? v[0] : v;
    };
    const id = get("webhook-id");
    const timestamp = get("webhook-timestamp");
    const signatures = get("webhook-signature");
    if (!id || !timestamp || !signatures || !secret.startsWith("whsec_")) return false;
    const sent = Number.parseInt(timestamp, 10);
    if (!Number.isFinite(sent) || Math.abs(Date.now() / 1000 - sent) > toleranceSeconds) return false;
    const key = Buffer.from(secret.slice("whsec_".length), "base64");
    const want = createHmac("sha256", key).update(`${id}.${timestamp}.`).update(body).digest();
    // Several signatures may be sent while a secret is being rotated.
    return signatures.split(" ").some((s) => {
      const [version, value] = s.split(",", 2);
      if (version !== "v1" || !value) return false;
      const got = Buffer.from(value, "base64");
      return got.length === want.length && timingSafeEqual(got, want);
    });
  }
}
