// Drives the capture page in Debian's Chromium with playwright-core: load
// /verify/<token>, upload the document and the selfie, submit, wait for the
// outcome and take screenshots. Prints one JSON line with what it saw.
// Env: BASE_URL, TOKEN, FRONT, SELFIE (file paths, optional), SHOTS (dir), CHROMIUM;
// CAMERA (browser.mjs) films the liveness frames instead of a selfie file.
import { launch, watch } from "./browser.mjs";

const env = process.env;
const browser = await launch(env);
const result = { errors: [] };
try {
  const page = await browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  watch(page, result, [env.BASE_URL, "blob:", "data:"]);
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
    if (env.CAMERA) {
      await page.click("#step-selfie .start");
      await page.waitForTimeout(2500);
      await page.screenshot({ path: `${env.SHOTS}/1-filming.png`, fullPage: true });
      await page.waitForFunction(() => {
        const m = document.querySelector("#step-selfie .msg");
        return m.textContent === "Uploaded." || m.classList.contains("err");
      }, null, { timeout: 60000 });
      result.liveMessage = await page.textContent("#step-selfie .msg");
      result.filePicker = (await page.$("#step-selfie input[type=file]")) !== null;
    }
    result.submitEnabled = await page.isEnabled("#submit");
    await page.screenshot({ path: `${env.SHOTS}/1-uploaded.png`, fullPage: true });
    if (!result.submitEnabled) throw new Error("submit stays disabled: " + (result.liveMessage || ""));
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
