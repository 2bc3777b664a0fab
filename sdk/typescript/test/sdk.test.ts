// The SDK against a real Veridoc server (started by the Go test
// internal/systemtest TestTypeScriptSDK, which passes VERIDOC_URL and a
// sandbox account's VERIDOC_PUBLIC_KEY and VERIDOC_SECRET).
import assert from "node:assert/strict";
import { createServer, request as httpRequest, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";

import { Veridoc, VeridocError, type Session } from "../src/index.js";

const baseUrl = process.env.VERIDOC_URL ?? "";
const publicKey = process.env.VERIDOC_PUBLIC_KEY ?? "";
const secret = process.env.VERIDOC_SECRET ?? "";
const v = new Veridoc({ baseUrl, publicKey, secret });

const listen = (s: Server) => new Promise<string>((resolve) => s.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${(s.address() as AddressInfo).port}`)));
const readBody = (req: IncomingMessage) => new Promise<Buffer>((resolve) => {
  const parts: Buffer[] = [];
  req.on("data", (c: Buffer) => parts.push(c));
  req.on("end", () => resolve(Buffer.concat(parts)));
});

async function until<T>(what: string, get: () => Promise<T>, done: (t: T) => boolean, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const t = await get();
    if (done(t)) return t;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(t)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe("veridoc", { skip: baseUrl === "" && "VERIDOC_URL not set: run through go test ./internal/systemtest -run TestTypeScriptSDK" }, () => {
  it("calls a method and types its answer", async () => {
    const acc = await v.account.get();
    assert.equal(acc.sandbox, true);
    assert.equal(typeof acc.id, "number");
  });

  it("throws VeridocError with the API's error_name", async () => {
    await assert.rejects(v.session.get({ id: 999_999_999 }), (e: unknown) => {
      assert.ok(e instanceof VeridocError);
      assert.equal(e.errorName, "SessionNotFound");
      assert.equal(e.status, 404);
      assert.match(e.requestId ?? "", /^[0-9a-f]+$/);
      return true;
    });
    await assert.rejects(new Veridoc({ baseUrl, publicKey, secret: "secret-wrong" }).account.get(), { errorName: "Unauthorized", status: 401 });
  });

  it("walks every page with listAll", async () => {
    for (let i = 0; i < 25; i++) await v.session.create({ reference: `ts-page-${i}` });
    const seen: Session[] = [];
    for await (const s of v.session.listAll({ limit: 10, reference: "ts-page-7" })) seen.push(s);
    assert.equal(seen.length, 1);
    let n = 0;
    for await (const s of v.session.listAll({ limit: 10 })) if (s.reference.startsWith("ts-page-")) n++;
    assert.equal(n, 25);
  });

  describe("retries through a flaky proxy", () => {
    let proxy: Server;
    let proxyUrl = "";
    const seen: { status: number; key: string | undefined; at: number }[] = [];
    let script: number[] = [];
    before(async () => {
      // The first answers come from the script (503, 429 with Retry-After: 1);
      // then requests go on to the real server.
      proxy = createServer(async (req, res) => {
        const body = await readBody(req);
        const key = req.headers["idempotency-key"] as string | undefined;
        const status = script.shift();
        if (status !== undefined) {
          seen.push({ status, key, at: Date.now() });
          res.writeHead(status, { "Content-Type": "application/json", ...(status === 429 ? { "Retry-After": "1" } : {}) });
          res.end(JSON.stringify({ error_name: status === 429 ? "RateLimited" : "ServiceUnavailable", error_message: "scripted" }));
          return;
        }
        seen.push({ status: 0, key, at: Date.now() });
        const up = new URL(req.url ?? "/", baseUrl);
        const fwd = httpRequest(up, { method: req.method, headers: { ...req.headers, host: up.host } }, (r) => {
          res.writeHead(r.statusCode ?? 502, r.headers);
          r.pipe(res);
        });
        fwd.end(body);
      });
      proxyUrl = await listen(proxy);
    });
    after(() => proxy.close());

    it("reuses one Idempotency-Key and honours Retry-After", async () => {
      script = [503, 429];
      seen.length = 0;
      const flaky = new Veridoc({ baseUrl: proxyUrl, publicKey, secret, maxRetries: 3 });
      const created = await flaky.session.create({ reference: "ts-retried" });
      assert.equal(seen.length, 3);
      assert.ok(seen[0]!.key && seen.every((s) => s.key === seen[0]!.key), "one key on every attempt");
      assert.ok(seen[2]!.at - seen[1]!.at >= 950, "waited Retry-After: 1 after the 429");
      const made = [];
      for await (const s of v.session.listAll({ reference: "ts-retried" })) made.push(s);
      assert.deepEqual(made.map((s) => s.id), [created.id]);
    });

    it("gives up after maxRetries", async () => {
      script = [503, 503, 503];
      seen.length = 0;
      const flaky = new Veridoc({ baseUrl: proxyUrl, publicKey, secret, maxRetries: 1 });
      await assert.rejects(flaky.account.get(), { errorName: "ServiceUnavailable", status: 503 });
      assert.equal(seen.length, 2);
      script = [];
    });
  });

  it("verifies a signed callback and refuses a changed one", async () => {
    const got: { body: Buffer; headers: IncomingMessage["headers"] }[] = [];
    const receiver = createServer(async (req, res) => {
      got.push({ body: await readBody(req), headers: req.headers });
      res.end();
    });
    const url = await listen(receiver);
    try {
      const endpoint = await v.webhookEndpoint.create({ url });
      const whsec = endpoint.webhook_secret ?? "";
      assert.match(whsec, /^whsec_/, "the account's first endpoint returns the secret");
      await v.webhookEndpoint.test({ id: endpoint.id, event: "verification.finished" });
      await until("the sample", async () => got.length, (n) => n > 0);
      const { body, headers } = got[0]!;
      assert.equal(Veridoc.verifyWebhook(body, headers, whsec), true);
      assert.equal(Veridoc.verifyWebhook(body.toString().replace("APPROVED", "REJECTED"), headers, whsec), false);
      assert.equal(Veridoc.verifyWebhook(body, headers, "whsec_" + Buffer.alloc(32).toString("base64")), false);
      assert.equal(JSON.parse(body.toString()).test, true);
    } finally {
      receiver.close();
    }
  });

  it("reaches a sandbox outcome with the end user's token", async () => {
    const s = await v.session.create({ reference: "sandbox:APPROVED" });
    const device = new Veridoc({ baseUrl, sessionToken: s.token });
    await device.session.submit();
    const done = await until("the outcome", () => v.session.get({ id: s.id }), (x) => x.state === "APPROVED");
    assert.equal(done.surname, "ERIKSSON");
  });

  it("makes a sandbox photo", async () => {
    const specs = await v.specification.list({ country_code: "US" });
    const spec = specs.data.find((s) => s.type === "passport");
    assert.ok(spec);
    const queued = await v.photo.process({ photo: "sandbox:SUCCESS", spec_id: spec.id });
    const task = await until("the photo", () => v.task.get({ id: queued.task_id }), (t) => t.state === "SUCCESS" || t.state === "FAILURE", 90_000);
    assert.equal(task.state, "SUCCESS");
    assert.match(task.digital_photo_url ?? "", /^http/);
  });
});
