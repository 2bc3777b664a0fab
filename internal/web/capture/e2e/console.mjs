// Drives the staff console in Debian's Chromium with playwright-core (it
// shares this folder's node_modules with the capture page's test): sign in,
// open the review queue and a verification, correct a field, approve; then
// open a session in REVIEW and approve it. Prints one JSON line with what
// it saw.
// Env: BASE_URL, EMAIL, PASSWORD, VERIFICATION_ID, SURNAME (the correction), SESSION_ID, SHOTS (dir), CHROMIUM.
import { launch, watch } from "./browser.mjs";

const env = process.env;
const browser = await launch(env);
const result = { errors: [] };
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  watch(page, result, [env.BASE_URL]);
  await page.goto(`${env.BASE_URL}/console/login`);
  await page.fill("input[name=email]", env.EMAIL);
  await page.fill("input[name=password]", env.PASSWORD);
  await page.click("button[type=submit]");
  await page.waitForURL("**/console/review");
  await page.screenshot({ path: `${env.SHOTS}/1-review.png`, fullPage: true });
  await page.click(`a[href="/console/verifications/${env.VERIFICATION_ID}"]`);
  await page.waitForURL(`**/console/verifications/${env.VERIFICATION_ID}`);
  result.images = await page.evaluate(() => [...document.images].filter((i) => i.complete && i.naturalWidth > 0).length);
  await page.screenshot({ path: `${env.SHOTS}/2-verification.png`, fullPage: true });
  await page.fill("input[name=person_surname]", env.SURNAME);
  await page.click("text=Save corrections");
  await page.waitForSelector(".flash");
  await page.selectOption("select[name=status]", "APPROVED");
  await page.fill("textarea[name=comment]", "Checked against the licence by hand");
  await page.click("text=Record decision");
  await page.waitForURL("**done=decided");
  result.flash = await page.textContent(".flash");
  await page.screenshot({ path: `${env.SHOTS}/3-decided.png`, fullPage: true });
  await page.goto(`${env.BASE_URL}/console/review`);
  await page.click(`a[href="/console/sessions/${env.SESSION_ID}"]`);
  await page.waitForURL(`**/console/sessions/${env.SESSION_ID}`);
  await page.screenshot({ path: `${env.SHOTS}/4-session.png`, fullPage: true });
  result.session = await page.textContent("main");
  await page.selectOption("select[name=state]", "APPROVED");
  await page.fill("textarea[name=comment]", "Birth date checked against the holder at the desk");
  await page.click("text=Record decision");
  await page.waitForURL("**done=decided");
  result.sessionFlash = await page.textContent(".flash");
  await page.screenshot({ path: `${env.SHOTS}/5-session-decided.png`, fullPage: true });
} catch (e) {
  result.errors.push(String(e));
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));
