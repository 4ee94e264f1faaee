// The pictures of issue 16 in a real headless Chromium (Debian's
// /usr/bin/chromium through playwright-core), the site served over HTTP as a
// web server would. Run by tests/browser.rs:
//
//   node tests/browser/pictures.mjs <site-dir> <screenshot-dir> [<clip-height>]
//
// At 1280 px, on an activity page whose data leaves the EEA through a
// processor, on countries/index.html and on the dashboard (index.html):
//   - every svg.picture is visible with a non-zero size;
//   - each flow's line and each receiving country on the map is painted in
//     its ground's colour (the theme's --ground-* variable);
//   - no console error or warning, no script error, no Content-Security-Policy
//     violation (a `securitypolicyviolation` listener set before any script
//     of the page runs), no failed request;
//   - axe-core finds no WCAG 2.1 A/AA violation;
//   - a full-page screenshot is saved as activity.png, countries.png and
//     dashboard.png in <screenshot-dir> (with <clip-height>, only that many
//     pixels from the top, or on the activity page from its diagram's
//     section: small enough for the docs).
// And printed (media print), the flow diagrams of records/controller.html
// stay visible.
//
// Prints one JSON summary on stdout. Exit status: 0 every expectation held,
// 1 an expectation failed, 2 bad arguments, 3 the browser, playwright-core
// or axe-core is missing (install them with `bash .ci/run`).
import { existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { extname, join, normalize, resolve } from "node:path";

const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];
const DESKTOP = { width: 1280, height: 900 };
const TIMEOUT_MS = 15_000;
const CHROMIUM = process.env.ROPA_CHROMIUM || "/usr/bin/chromium";
// The same flags as search.mjs (see there why).
const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const INSTALL_HINT =
  "run `bash .ci/run`, or: apt-get update && apt-get install -y --no-install-recommends chromium && (cd tests/browser && npm ci)";

const [siteArg, shotArg, clipArg] = process.argv.slice(2);
if (!siteArg || !shotArg) {
  console.error("usage: node tests/browser/pictures.mjs <site-dir> <screenshot-dir> [<clip-height>]");
  process.exit(2);
}
const siteDir = resolve(siteArg);
const shotDir = resolve(shotArg);
const clipHeight = clipArg ? Number(clipArg) : 0;
if (!existsSync(join(siteDir, "index.html")) || !existsSync(join(siteDir, "ropa.json"))) {
  console.error(`pictures.mjs: no index.html or ropa.json in ${siteDir}; build the site first`);
  process.exit(2);
}
if (!existsSync(CHROMIUM)) {
  console.error(`pictures.mjs: Chromium is not installed at ${CHROMIUM}; ${INSTALL_HINT}`);
  process.exit(3);
}
let chromium;
let axeSource;
try {
  ({ chromium } = await import("playwright-core"));
  const require = createRequire(import.meta.url);
  axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
} catch (e) {
  console.error(`pictures.mjs: cannot load playwright-core or axe-core (${e.message}); ${INSTALL_HINT}`);
  process.exit(3);
}

const failures = [];
function expect(ok, message) {
  if (!ok) failures.push(message);
  return ok;
}

// The activity to show: the first (by id) whose data leaves the EEA through
// a processor it names or their sub-processors, read from the site's own
// JSON register (the same facts the pages are made of).
const register = JSON.parse(readFileSync(join(siteDir, "ropa.json"), "utf8"));
const activities = [...register.controller_record.activities, ...register.processor_record.activities];
const processorIds = new Set(register.processors.map((p) => p.id));
const leaving = activities
  .filter((a) => a.transfers_outside_eea.some((f) => processorIds.has(f.party)))
  .sort((a, b) => (a.id < b.id ? -1 : 1));
const summary = { ok: false, chromium: CHROMIUM, tags: TAGS, pages: [] };
if (!expect(leaving.length > 0, "no activity whose data leaves the EEA through a processor")) {
  summary.failures = failures;
  console.log(JSON.stringify(summary, null, 2));
  process.exit(1);
}
summary.activity = leaving[0].id;
const PAGES = [
  { name: "activity", path: `activities/${leaving[0].id}.html` },
  { name: "countries", path: "countries/index.html" },
  { name: "dashboard", path: "index.html" },
];

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".json": "application/json",
};
// A plain static server, as a11y.mjs has it.
const server = createServer((req, res) => {
  const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
  let file = normalize(join(siteDir, path));
  if (file.startsWith(siteDir) && existsSync(file) && statSync(file).isDirectory()) {
    file = join(file, "index.html");
  }
  if (!file.startsWith(siteDir) || !existsSync(file)) {
    res.writeHead(404, { "content-type": TYPES[".html"] });
    res.end(existsSync(join(siteDir, "404.html")) ? readFileSync(join(siteDir, "404.html")) : "");
    return;
  }
  res.writeHead(200, { "content-type": TYPES[extname(file)] || "application/octet-stream" });
  res.end(readFileSync(file));
});
await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
const origin = `http://127.0.0.1:${server.address().port}`;

async function axeViolations(page) {
  if (!(await page.evaluate(() => typeof window.axe === "object"))) {
    // Evaluated through DevTools, so the page's CSP does not block it.
    await page.evaluate(axeSource);
  }
  const result = await page.evaluate(
    (tags) => window.axe.run(document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] }),
    TAGS,
  );
  return result.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    targets: v.nodes.map((n) => n.target.join(" ")),
    why: v.nodes.slice(0, 3).map((n) => n.failureSummary),
  }));
}

// The browser asks for /favicon.ico by itself; the site has none.
const ownRequest = (u) => new URL(u).pathname === "/favicon.ico";

/** Collects what goes wrong on `page`: console errors and warnings, script errors, failed loads. */
function watch(page, errors) {
  page.on("pageerror", (e) => errors.push(`page error: ${e}`));
  page.on("console", (m) => {
    const t = m.type();
    // "Failed to load resource" is reported below, with the URL.
    if ((t === "error" || t === "warning") && !m.text().startsWith("Failed to load resource")) {
      errors.push(`console ${t}: ${m.text()}`);
    }
  });
  page.on("requestfailed", (q) => errors.push(`request failed: ${q.url()}`));
  page.on("response", (q) => q.status() >= 400 && !ownRequest(q.url()) && errors.push(`${q.status()} ${q.url()}`));
}

/** Each svg.picture on the page: its classes, its box and whether it shows. */
function pictures(page) {
  return page.$$eval("svg.picture", (svgs) =>
    svgs.map((s) => {
      const r = s.getBoundingClientRect();
      const cs = getComputedStyle(s);
      let shown = cs.display !== "none" && cs.visibility !== "hidden" && Number(cs.opacity) > 0;
      for (let a = s.parentElement; a && shown; a = a.parentElement) {
        const c = getComputedStyle(a);
        if (c.display === "none" || c.visibility === "hidden" || Number(c.opacity) === 0) shown = false;
      }
      return {
        cls: s.getAttribute("class"),
        width: Math.round(r.width),
        height: Math.round(r.height),
        shown,
        // What is drawn inside has a size too (not an empty frame).
        drawn: s.querySelectorAll("path, rect, circle, line, polyline, polygon, text").length,
      };
    }),
  );
}

/**
 * The paint of everything coloured by a ground: a flow's line (stroke) and a
 * receiving country or marker on the map (fill), against the theme's
 * `--ground-<ground>` colour. A dotted or hatched ground on the map is
 * painted by its pattern (`url(#…)`), whose ground is in that colour.
 */
function groundPaints(page) {
  return page.evaluate(() => {
    const root = getComputedStyle(document.documentElement);
    const want = (g) => {
      const v = root.getPropertyValue(`--ground-${g}`).trim();
      const m = /^#([0-9a-f]{6})$/i.exec(v);
      if (!m) return v;
      const n = parseInt(m[1], 16);
      return `rgb(${n >> 16}, ${(n >> 8) & 255}, ${n & 255})`;
    };
    const out = [];
    const selector = ["adequacy", "safeguard", "derogation", "uncovered"].map((g) => `svg.picture .ground-${g}`).join(", ");
    for (const el of document.querySelectorAll(selector)) {
      const ground = [...el.classList].find((c) => c.startsWith("ground-")).slice("ground-".length);
      let target = null;
      let prop = null;
      if (el.matches("svg.flow g.edge")) [target, prop] = [el.querySelector("path"), "stroke"];
      else if (el.matches("svg.map .country, svg.map .marker")) [target, prop] = [el, "fill"];
      if (!target) continue;
      let got = getComputedStyle(target)[prop];
      // A pattern's paint is its ground's rect (`.hatch-ground`) under the
      // dots or lines: that rect must be in the ground's colour.
      const pattern = prop === "fill" && /^url\("?#([^")]+)"?\)$/.exec(got);
      if (pattern) {
        const def = document.getElementById(pattern[1]);
        const rect = def && def.matches("pattern") && def.querySelector(".hatch-ground");
        got = rect ? `${got} over ${getComputedStyle(rect).fill}` : `${got} (no such pattern)`;
      }
      out.push({
        element: `${el.tagName.toLowerCase()}.${[...el.classList].join(".")}[${el.dataset.cc || el.dataset.to || ""}]`,
        ground,
        prop,
        got,
        want: want(ground),
        ok: got === want(ground) || (pattern && got.endsWith(` over ${want(ground)}`)),
      });
    }
    return out;
  });
}

function checkPaints(where, paints) {
  for (const p of paints) {
    expect(p.ok, `${where}: ${p.element} is painted ${p.prop} ${p.got}, not its ground's ${p.want} (--ground-${p.ground})`);
  }
}

function checkPictures(where, list) {
  expect(list.length > 0, `${where}: no svg.picture`);
  for (const p of list) {
    expect(p.width > 0 && p.height > 0, `${where}: <svg class="${p.cls}"> is ${p.width}×${p.height}`);
    expect(p.shown, `${where}: <svg class="${p.cls}"> is hidden`);
    expect(p.drawn > 0, `${where}: <svg class="${p.cls}"> draws nothing`);
  }
}

// Set before any script of the page runs, so no violation goes unseen.
function listenForCsp() {
  window.__cspViolations = [];
  document.addEventListener("securitypolicyviolation", (e) => {
    window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || "(inline)"} in ${e.sourceFile || "?"}:${e.lineNumber}`);
  });
}

const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 30_000 });
summary.browser_version = browser.version();
summary.axe_version = JSON.parse(readFileSync(createRequire(import.meta.url).resolve("axe-core/package.json"), "utf8")).version;
mkdirSync(shotDir, { recursive: true });
summary.screenshots = [];

try {
  const desktop = await browser.newContext({ viewport: DESKTOP });
  await desktop.addInitScript(listenForCsp);
  for (const { name, path } of PAGES) {
    const r = { page: path, errors: [] };
    summary.pages.push(r);
    const page = await desktop.newPage();
    page.setDefaultTimeout(TIMEOUT_MS);
    watch(page, r.errors);
    await page.goto(`${origin}/${path}`, { waitUntil: "load" });
    r.pictures = await pictures(page);
    checkPictures(path, r.pictures);
    r.paints = await groundPaints(page);
    checkPaints(path, r.paints);

    const shot = join(shotDir, `${name}.png`);
    if (clipHeight > 0) {
      // An activity's diagram comes after its Art. 30 list: start at its section.
      const [top, total] = await page.evaluate((start) => {
        const svg = document.querySelector("svg.picture");
        const at = start && svg ? (svg.closest("section") || svg).getBoundingClientRect().top + scrollY - 16 : 0;
        return [Math.max(0, Math.floor(at)), document.documentElement.scrollHeight];
      }, name === "activity");
      const height = Math.min(clipHeight, total - top);
      await page.screenshot({ path: shot, fullPage: true, clip: { x: 0, y: top, width: DESKTOP.width, height } });
    } else {
      await page.screenshot({ path: shot, fullPage: true });
    }
    summary.screenshots.push(shot);

    r.violations = await axeViolations(page);
    for (const v of r.violations) {
      expect(false, `${path}: axe ${v.id} (${v.impact}): ${v.help}; at ${v.targets.join(", ")}`);
    }
    r.csp_violations = await page.evaluate(() => window.__cspViolations);
    expect(Array.isArray(r.csp_violations), `${path}: the CSP listener did not run`);
    for (const v of r.csp_violations || []) r.errors.push(`CSP: ${v}`);
    expect(r.errors.length === 0, `${path}: ${r.errors.join(" | ")}`);
    await page.close();
  }

  // Printed: the records keep their diagrams, each visible.
  const print = { page: "records/controller.html", errors: [] };
  summary.print = print;
  const page = await desktop.newPage();
  page.setDefaultTimeout(TIMEOUT_MS);
  watch(page, print.errors);
  await page.emulateMedia({ media: "print" });
  await page.goto(`${origin}/${print.page}`, { waitUntil: "load" });
  print.media_print = await page.evaluate(() => matchMedia("print").matches);
  expect(print.media_print, "print emulation did not apply");
  print.pictures = (await pictures(page)).filter((p) => /\bflow\b/.test(p.cls));
  checkPictures(`${print.page} in print`, print.pictures);
  print.pdf_bytes = (await page.pdf({ format: "A4" })).length;
  expect(print.pdf_bytes > 1000, `${print.page}: the PDF is ${print.pdf_bytes} bytes`);
  print.csp_violations = await page.evaluate(() => window.__cspViolations);
  for (const v of print.csp_violations || []) print.errors.push(`CSP: ${v}`);
  expect(print.errors.length === 0, `${print.page} in print: ${print.errors.join(" | ")}`);
  await page.close();
  await desktop.close();
} catch (e) {
  failures.push(`unexpected error: ${e && e.stack ? e.stack : e}`);
} finally {
  await browser.close();
  server.close();
}

summary.failures = failures;
summary.ok = failures.length === 0;
console.log(JSON.stringify(summary, null, 2));
process.exit(summary.ok ? 0 : 1);
