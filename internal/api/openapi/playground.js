// The /docs playground: sends a method's JSON body with the key typed at the
// top of the page and shows the call as curl and the answer. The key lives
// only in the page; the curl names the secret $VERIDOC_SECRET.
"use strict";

const $ = (sel, root = document) => root.querySelector(sel);
const shown = ["X-Request-Id", "Idempotent-Replayed", "RateLimit-Remaining", "Retry-After"];
const quote = (s) => "'" + s.replaceAll("'", "'\\''") + "'";

// credentials returns the Authorization header and its curl form.
function credentials(session) {
  if (session) {
    const token = $("#pg-token").value.trim();
    if (!token) throw new Error("Enter the session token (st_…) at the top of the page.");
    return { header: "Bearer " + token, curl: "-H " + quote("Authorization: Bearer " + token) };
  }
  const pub = $("#pg-public").value.trim();
  const secret = $("#pg-secret").value.trim();
  if (!pub || !secret) throw new Error("Enter your public key and secret at the top of the page.");
  return { header: "Basic " + btoa(pub + ":" + secret), curl: "-u " + quote(pub) + ':"$VERIDOC_SECRET"' };
}

async function send(button) {
  const box = button.closest(".try");
  const out = $(".answer", box);
  const curl = $(".curl", box);
  const method = button.dataset.method;
  let body, auth;
  try {
    body = JSON.stringify(JSON.parse($("textarea", box).value || "{}"));
    auth = credentials(button.dataset.scope === "session");
  } catch (e) {
    curl.textContent = "";
    out.textContent = e.message;
    return;
  }
  const headers = { "Content-Type": "application/json", Authorization: auth.header };
  const idem = $("input.idem", box);
  let idemCurl = "";
  if (idem && idem.value.trim()) {
    headers["Idempotency-Key"] = idem.value.trim();
    idemCurl = " -H " + quote("Idempotency-Key: " + idem.value.trim());
  }
  curl.textContent = `curl ${auth.curl} -X POST ${location.origin}/api/v1/${method} \\\n  -H 'Content-Type: application/json'${idemCurl} -d ${quote(body)}`;
  out.textContent = "Sending…";
  button.disabled = true;
  try {
    const res = await fetch(`/api/v1/${method}`, { method: "POST", headers, body, credentials: "omit", cache: "no-store" });
    let text = await res.text();
    try { text = JSON.stringify(JSON.parse(text), null, 2); } catch { /* not JSON: shown as it came */ }
    const lines = shown.filter((h) => res.headers.get(h)).map((h) => `${h}: ${res.headers.get(h)}`);
    out.textContent = [`HTTP ${res.status}`, ...lines, "", text].join("\n");
  } catch (e) {
    out.textContent = "The request failed: " + e.message;
  } finally {
    button.disabled = false;
  }
}

document.addEventListener("click", (ev) => {
  const button = ev.target.closest("button[data-method]");
  if (button) send(button);
});
