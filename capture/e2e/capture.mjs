// Drives the capture page in Debian's Chromium with playwright-core: load
// /verify/<token>, upload the document and the selfie, submit, wait for the
// outcome and take screenshots. Prints one JSON line with what it saw.
// Env: BASE_URL, TOKEN, FRONT, SELFIE (file paths, optional), SHOTS (dir), CHROMIUM.
import { chromium } from "playwright-core";

const env = process.env;
const browser = await chromium.launch({
  executablePath: env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync"],
});
const result = { errors: [] };
try {
  const page = await browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  page.on("console", (m) => { if (m.type() === "error") result.errors.push(m.text()); });
  page.on("pageerror", (e) => result.errors.push(String(e)));
  page.on("request", (r) => { if (!r.url().startsWith(env.BASE_URL) && !r.url().startsWith("blob:") && !r.url().startsWith("data:")) result.errors.push("off-origin request " + r.url()); });
  await page.goto(`${env.BASE_URL}/verify/${env.TOKEN}`);
  if (!env.FRONT) {
    await page.waitForFunction(() => document.querySelector("#status").textContent.includes("not valid"), null, { timeout: 15000 });
    result.status = await page.textContent("#status");
  } else {
    await page.waitForSelector("#step-front:not([hidden])", { timeout: 15000 });
    for (const [step, file] of [["#step-front", env.FRONT], ["#step-selfie", env.SELFIE]]) {
      if (!file) continue;
      await page.setInputFiles(`${step} input[type=file]`, file);
      await page.waitForFunction((s) => document.querySelector(`${s} .msg`).textContent === "Uploaded.", step, { timeout: 30000 });
    }
    result.submitEnabled = await page.isEnabled("#submit");
    await page.screenshot({ path: `${env.SHOTS}/1-uploaded.png`, fullPage: true });
    await page.click("#submit");
    await page.waitForSelector("body[data-outcome]", { timeout: 120000 });
    result.outcome = await page.getAttribute("body", "data-outcome");
    result.title = await page.textContent("#outcome-title");
    await page.screenshot({ path: `${env.SHOTS}/2-outcome.png`, fullPage: true });
  }
} catch (e) {
  result.errors.push(String(e));
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));
