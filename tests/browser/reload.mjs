// `ropa serve` in a real headless Chromium: the open page reloads itself
// after a save, and shows the error banner while the registry is broken,
// with no Content Security Policy violation. Run by tests/serve.rs:
//
//   node tests/browser/reload.mjs <base-url> <processor-file>
//
// <processor-file> is processors/crm.toml of the served registry (the
// valid-saas fixture). Prints one JSON summary. Exit status: 0 every
// expectation held, 1 one failed, 2 bad arguments, 3 browser missing.
import { existsSync, readFileSync, writeFileSync } from "node:fs";

const CHROMIUM = process.env.ROPA_CHROMIUM || "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];
const WAIT_MS = 30_000;

const [base, file] = process.argv.slice(2);
if (!base || !file || !existsSync(file)) {
  console.error("usage: node tests/browser/reload.mjs <base-url> <processor-file>");
  process.exit(2);
}
if (!existsSync(CHROMIUM)) {
  console.error(`reload.mjs: Chromium is not installed at ${CHROMIUM}`);
  process.exit(3);
}
let chromium;
try {
  ({ chromium } = await import("playwright-core"));
} catch (e) {
  console.error(`reload.mjs: cannot load playwright-core (${e.message})`);
  process.exit(3);
}

const failures = [];
const cspViolations = [];
const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
try {
  const page = await browser.newPage();
  page.on("console", (m) => {
    if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
  });
  let navigations = 0;
  page.on("framenavigated", (f) => { if (f === page.mainFrame()) navigations++; });

  // The first launch on a fresh machine can be slow (font cache): wait long.
  await page.goto(`${base}processors/crm.html`, { timeout: 90_000 });
  const before = await page.textContent("h1");
  if (!before.includes("Pipeline CRM Ltd")) failures.push(`first page: h1 is ${before}`);

  // Save a change; the page must reload by itself.
  const original = readFileSync(file, "utf8");
  writeFileSync(file, original.replace("Pipeline CRM Ltd", "Reloaded CRM Ltd"));
  try {
    await page.waitForFunction(
      () => document.querySelector("h1")?.textContent.includes("Reloaded CRM Ltd"),
      null, { timeout: WAIT_MS });
  } catch {
    failures.push("the page did not reload after the save");
  }

  // Break the registry: the banner appears, above the last good page.
  writeFileSync(file, 'name = "Broken\nservice = ');
  let banner = "";
  try {
    await page.waitForSelector(".ropa-serve-errors[role=alert]", { timeout: WAIT_MS });
    banner = await page.textContent(".ropa-serve-errors");
  } catch {
    failures.push("no error banner while the registry is broken");
  }
  if (banner && !banner.includes("processors/crm.toml")) failures.push(`banner: ${banner}`);
  const h1 = await page.textContent("h1");
  if (!h1.includes("Reloaded CRM Ltd")) failures.push(`under the banner: h1 is ${h1}`);
  if (cspViolations.length) failures.push(`CSP violations: ${cspViolations.join(" | ")}`);

  console.log(JSON.stringify({ navigations, banner: banner.slice(0, 200), failures }));
} finally {
  await browser.close();
}
process.exit(failures.length ? 1 : 0);
