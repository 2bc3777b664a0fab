// What both browser scripts share: Debian's Chromium launched as this machine
// allows (no sandbox as root, no background networking, which its closed
// network refuses), and a page watched for console errors, page errors and
// requests that leave the server under test.
import { chromium } from "playwright-core";

// CAMERA: a .y4m video the fake front camera plays (access granted), or
// "deny" for a camera whose access the person refuses.
export function launch(env) {
  const args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync"];
  if (env.CAMERA) {
    args.push("--use-fake-device-for-media-stream");
    if (env.CAMERA !== "deny") args.push("--use-fake-ui-for-media-stream", `--use-file-for-fake-video-capture=${env.CAMERA}`);
  }
  return chromium.launch({ executablePath: env.CHROMIUM || "/usr/bin/chromium", headless: true, args });
}

// watch records a page's errors in result.errors; a request is off-origin
// unless its URL starts with one of the allowed prefixes.
export function watch(page, result, allowed) {
  page.on("console", (m) => { if (m.type() === "error") result.errors.push(m.text()); });
  page.on("pageerror", (e) => result.errors.push(String(e)));
  page.on("request", (r) => {
    if (!allowed.some((p) => r.url().startsWith(p))) result.errors.push("off-origin request " + r.url());
  });
}
