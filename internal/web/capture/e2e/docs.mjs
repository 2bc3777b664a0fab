// Drives the /docs playground in Debian's Chromium with playwright-core:
// enter a key, try account.get, a session.get of an unknown id, and
// session.create twice with one Idempotency-Key. Prints one JSON line with
// what it saw (the answers and the curl shown for account.get).
// Env: BASE_URL, PUBLIC_KEY, SECRET, SHOTS (dir), CHROMIUM.
import { launch, watch } from "./browser.mjs";

const env = process.env;
const browser = await launch(env);
const result = { errors: [] };

// tryMethod opens a method's form, sets its body (and key), sends, and
// returns the answer once it arrived.
async function tryMethod(page, method, body, idem) {
  const section = page.locator(`section[id="${method}"]`);
  const details = section.locator("details.try");
  if (!(await details.evaluate((d) => d.open))) await section.locator("summary").click();
  if (body !== undefined) await section.locator("textarea").fill(body);
  if (idem) await section.locator("input.idem").fill(idem);
  await section.locator("pre.answer").evaluate((el) => { el.textContent = ""; });
  await section.locator("button[data-method]").click();
  await page.waitForFunction((m) => /^HTTP \d+/.test(document.querySelector(`section[id="${m}"] pre.answer`).textContent), method);
  return { answer: await section.locator("pre.answer").textContent(), curl: await section.locator("pre.curl").textContent() };
}

try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  watch(page, result, [env.BASE_URL]);
  await page.goto(`${env.BASE_URL}/docs`);
  // Without a key the form says what is missing and sends nothing.
  const section = page.locator('section[id="account.get"]');
  await section.locator("summary").click();
  await section.locator("button[data-method]").click();
  result.withoutKey = await section.locator("pre.answer").textContent();
  await page.fill("#pg-public", env.PUBLIC_KEY);
  await page.fill("#pg-secret", env.SECRET);
  result.account = await tryMethod(page, "account.get");
  result.unknown = await tryMethod(page, "session.get", '{"id": 99999999}');
  // Chromium logs every 4xx fetch as a console error; this 404 is the one asked for.
  const expected = result.errors.findIndex((e) => e.includes("status of 404"));
  if (expected >= 0) result.errors.splice(expected, 1);
  result.first = await tryMethod(page, "session.create", '{"reference": "from the playground"}', "docs-playground-1");
  result.replay = await tryMethod(page, "session.create", undefined, undefined);
  await page.locator('section[id="session.get"]').screenshot({ path: `${env.SHOTS}/playground.png` });
} catch (e) {
  result.errors.push(String(e));
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));
