// Accessibility and phone layout of every page of a built site, in a real
// headless Chromium (Debian's /usr/bin/chromium, through playwright-core).
// Run by tests/browser.rs:
//
//   node tests/browser/a11y.mjs <site-dir> [--all | page.html ...]
//
// Serves <site-dir> over HTTP as a plain web server would (a missing path
// gets 404.html with status 404), then for each page (the pages named,
// every page with --all, else one page of each kind: see onePerKind):
//   - axe-core at WCAG 2.1 A and AA (tags wcag2a, wcag2aa, wcag21a,
//     wcag21aa), on a desktop and a phone viewport: no violations;
//   - at 390x844 (a phone) the page does not scroll sideways
//     (document.documentElement.scrollWidth <= 390);
//   - the first Tab lands on a visible skip link to #main, the next on the
//     header, and Enter on the skip link moves focus to <main>, from where
//     Tab goes on inside it;
//   - each of those, focused from the keyboard, shows an outline.
// And the 404 page, served for a missing path three folders deep, is styled
// (its CSS loads and applies under the page's own Content-Security-Policy)
// and has no link relative to a depth it cannot know.
//
// Prints one JSON summary on stdout. Exit status: 0 every expectation held,
// 1 an expectation failed, 2 bad arguments, 3 the browser, playwright-core
// or axe-core is missing (install them with `bash .ci/run`).
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { extname, join, normalize, relative, resolve, sep } from "node:path";

const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 900 };
const MISSING_PATH = "/no/such/folder/page.html";
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

const [siteArg, ...named] = process.argv.slice(2);
if (!siteArg) {
  console.error("usage: node tests/browser/a11y.mjs <site-dir> [--all | page.html ...]");
  process.exit(2);
}
const siteDir = resolve(siteArg);
if (!existsSync(join(siteDir, "index.html")) || !existsSync(join(siteDir, "404.html"))) {
  console.error(`a11y.mjs: no index.html or 404.html in ${siteDir}; build the site first`);
  process.exit(2);
}
if (!existsSync(CHROMIUM)) {
  console.error(`a11y.mjs: Chromium is not installed at ${CHROMIUM}; ${INSTALL_HINT}`);
  process.exit(3);
}
let chromium;
let axeSource;
try {
  ({ chromium } = await import("playwright-core"));
  const require = createRequire(import.meta.url);
  axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
} catch (e) {
  console.error(`a11y.mjs: cannot load playwright-core or axe-core (${e.message}); ${INSTALL_HINT}`);
  process.exit(3);
}

const failures = [];
function expect(ok, message) {
  if (!ok) failures.push(message);
  return ok;
}

/** Every .html file under `dir`, as site paths with `/`, sorted. */
function htmlFiles(dir) {
  const out = [];
  const walk = (d) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith(".html")) out.push(relative(siteDir, p).split(sep).join("/"));
    }
  };
  walk(dir);
  return out.sort();
}

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".json": "application/json",
};

// A plain static server: the file when there is one, else 404.html with
// status 404, as nginx's `error_page 404 /404.html` or GitHub Pages do.
const server = createServer((req, res) => {
  const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
  let file = normalize(join(siteDir, path));
  if (file.startsWith(siteDir) && existsSync(file) && statSync(file).isDirectory()) {
    file = join(file, "index.html");
  }
  if (!file.startsWith(siteDir) || !existsSync(file)) {
    res.writeHead(404, { "content-type": TYPES[".html"] });
    res.end(readFileSync(join(siteDir, "404.html")));
    return;
  }
  res.writeHead(200, { "content-type": TYPES[extname(file)] || "application/octet-stream" });
  res.end(readFileSync(file));
});
await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
const origin = `http://127.0.0.1:${server.address().port}`;

/**
 * One page of each kind: every page at the top (each its own kind), and in
 * each folder its index.html (a list) and its largest other page (an entry
 * page, the one with the most in it); in records/ every page, since each
 * is a record of its own.
 */
function onePerKind(files) {
  const byFolder = new Map();
  for (const f of files) {
    const folder = f.includes("/") ? f.slice(0, f.lastIndexOf("/")) : "";
    if (!byFolder.has(folder)) byFolder.set(folder, []);
    byFolder.get(folder).push(f);
  }
  const out = [];
  for (const [folder, list] of byFolder) {
    if (folder === "" || folder === "records") {
      out.push(...list);
      continue;
    }
    const index = `${folder}/index.html`;
    if (list.includes(index)) out.push(index);
    const entries = list.filter((f) => f !== index);
    const size = (f) => statSync(join(siteDir, f)).size;
    // Largest first; the name decides between equals.
    entries.sort((a, b) => size(b) - size(a) || (a < b ? -1 : 1));
    if (entries.length > 0) out.push(entries[0]);
  }
  return out.sort();
}

// Named pages, `--all` for every page, else one page of each kind.
const pages =
  named.length === 1 && named[0] === "--all"
    ? htmlFiles(siteDir)
    : named.length > 0
      ? named
      : onePerKind(htmlFiles(siteDir));
const summary = { ok: false, chromium: CHROMIUM, tags: TAGS, pages: [] };
const require = createRequire(import.meta.url);
summary.axe_version = JSON.parse(readFileSync(require.resolve("axe-core/package.json"), "utf8")).version;

/** axe-core's violations on the page, each with what a reader needs to fix it. */
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

/** Page width at the phone viewport, and the outermost elements wider than it. */
function overflow(page) {
  return page.evaluate((width) => {
    const clips = (el) => {
      for (let a = el.parentElement; a; a = a.parentElement) {
        if (getComputedStyle(a).overflowX !== "visible") return a !== document.documentElement && a !== document.body;
      }
      return false;
    };
    const describe = (el) => {
      let s = el.tagName.toLowerCase();
      if (el.id) s += `#${el.id}`;
      if (el.classList.length) s += `.${[...el.classList].join(".")}`;
      const parent = el.closest("[id]");
      if (parent && parent !== el) s = `#${parent.id} … ${s}`;
      return s;
    };
    const wide = [];
    for (const el of document.body.querySelectorAll("*")) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.right <= width + 0.5 || clips(el)) continue;
      const p = el.parentElement.getBoundingClientRect();
      if (p.right > width + 0.5 && el.parentElement !== document.body) continue;
      wide.push({ element: describe(el), right: Math.round(r.right), text: el.textContent.trim().slice(0, 60) });
    }
    return { scroll_width: document.documentElement.scrollWidth, overflowing: wide.slice(0, 10) };
  }, PHONE.width);
}

/** What has focus: its tag, classes, href, whether inside main, and its outline. */
function focused(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return { tag: "body" };
    const s = getComputedStyle(el);
    const r = el.getBoundingClientRect();
    return {
      tag: el.tagName.toLowerCase(),
      cls: el.className,
      href: el.getAttribute("href"),
      id: el.id,
      in_main: !!el.closest("main"),
      outline_style: s.outlineStyle,
      outline_width: parseFloat(s.outlineWidth) || 0,
      visible: r.width > 0 && r.height > 0 && r.right > 0 && r.bottom > 0 && r.left < innerWidth && r.top < innerHeight,
    };
  });
}

// The browser asks for /favicon.ico by itself; the site has none.
const ownRequest = (u) => new URL(u).pathname === "/favicon.ico";

/** Collects what goes wrong on `page` beyond `url` itself: script errors, CSP blocks, failed loads. */
function watch(page, url, errors) {
  page.on("pageerror", (e) => errors.push(String(e)));
  // "Failed to load resource" is reported below, with the URL.
  page.on("console", (m) => m.type() === "error" && !m.text().startsWith("Failed to load resource") && errors.push(m.text()));
  page.on("requestfailed", (q) => errors.push(`request failed: ${q.url()}`));
  page.on("response", (q) => q.status() >= 400 && q.url() !== url && !ownRequest(q.url()) && errors.push(`${q.status()} ${q.url()}`));
}

// What Tab stops at here (visible: the search box is hidden until its script runs).
const FOCUSABLE = ":is(a[href], button, input, select, textarea, [tabindex='0']):not([hidden] *)";

const shows = (f) => f.outline_style !== "none" && f.outline_width >= 2;

const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 30_000 });
summary.browser_version = browser.version();

try {
  const desktop = await browser.newContext({ viewport: DESKTOP });
  const phone = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
  for (const path of pages) {
    const url = `${origin}/${path}`;
    const r = { page: path, errors: [] };
    summary.pages.push(r);

    // Desktop: axe, then the keyboard.
    const page = await desktop.newPage();
    page.setDefaultTimeout(TIMEOUT_MS);
    watch(page, url, r.errors);
    await page.goto(url, { waitUntil: "load" });
    r.violations = await axeViolations(page);
    for (const v of r.violations) {
      expect(false, `${path}: axe ${v.id} (${v.impact}): ${v.help}; at ${v.targets.join(", ")}`);
    }

    // The keyboard, as a person uses it: Tab, Tab, back, Enter, Tab.
    await page.keyboard.press("Tab");
    r.first_focus = await focused(page);
    expect(
      r.first_focus.tag === "a" && r.first_focus.href === "#main" && r.first_focus.visible,
      `${path}: the first Tab does not land on a visible skip link to #main: ${JSON.stringify(r.first_focus)}`,
    );
    expect(shows(r.first_focus), `${path}: the focused skip link shows no outline: ${JSON.stringify(r.first_focus)}`);
    r.header_focusables = await page.$$eval(`header ${FOCUSABLE}`, (els) => els.length);
    if (r.header_focusables > 0) {
      await page.keyboard.press("Tab");
      r.second_focus = await focused(page);
      expect(
        r.second_focus.tag !== "body" && !r.second_focus.in_main,
        `${path}: the second Tab does not land in the header: ${JSON.stringify(r.second_focus)}`,
      );
      expect(shows(r.second_focus), `${path}: the focused header link shows no outline: ${JSON.stringify(r.second_focus)}`);
      await page.keyboard.press("Shift+Tab");
    }
    await page.keyboard.press("Enter");
    r.after_skip = await focused(page);
    expect(r.after_skip.tag === "main", `${path}: Enter on the skip link does not move focus to <main>: ${JSON.stringify(r.after_skip)}`);
    r.main_focusables = await page.$$eval(`main ${FOCUSABLE}`, (els) => els.length);
    if (r.main_focusables > 0) {
      await page.keyboard.press("Tab");
      r.after_skip_tab = await focused(page);
      expect(r.after_skip_tab.in_main, `${path}: the Tab after the skip link leaves the main content: ${JSON.stringify(r.after_skip_tab)}`);
      expect(shows(r.after_skip_tab), `${path}: the first focused element in the main content shows no outline: ${JSON.stringify(r.after_skip_tab)}`);
    }
    await page.close();

    // Phone: no sideways scrolling.
    const small = await phone.newPage();
    small.setDefaultTimeout(TIMEOUT_MS);
    await small.goto(url, { waitUntil: "load" });
    Object.assign(r, await overflow(small));
    // Again at phone width: a table scrolling in its box is new here.
    r.phone_violations = await axeViolations(small);
    for (const v of r.phone_violations) {
      expect(false, `${path} at ${PHONE.width} px: axe ${v.id} (${v.impact}): ${v.help}; at ${v.targets.join(", ")}`);
    }
    expect(
      r.scroll_width <= PHONE.width,
      `${path}: at ${PHONE.width} px the page is ${r.scroll_width} px wide; too wide: ${JSON.stringify(r.overflowing)}`,
    );
    await small.close();
    expect(r.errors.length === 0, `${path}: ${r.errors.join(" | ")}`);
  }

  // The 404 page as a server sends it for a missing path deep down: its CSS
  // must apply under its own CSP, and no link may depend on the depth.
  const missing = await desktop.newPage();
  const blocked = [];
  watch(missing, `${origin}${MISSING_PATH}`, blocked);
  const response = await missing.goto(`${origin}${MISSING_PATH}`, { waitUntil: "load" });
  const nf = await missing.evaluate(() => {
    const main = document.querySelector("main");
    return {
      has_main: !!main,
      main_max_width: main ? getComputedStyle(main).maxWidth : null,
      body_font: getComputedStyle(document.body).fontFamily,
      depth_links: [...document.querySelectorAll("[href], [src]")]
        .map((e) => e.getAttribute("href") ?? e.getAttribute("src"))
        // Root-relative counts too: the site's base path is not known.
        .filter((h) => !/^([a-z][a-z0-9+.-]*:|#)/i.test(h)),
    };
  });
  summary.not_found = { path: MISSING_PATH, status: response.status(), ...nf, errors: blocked };
  expect(response.status() === 404, `${MISSING_PATH}: the test server answered ${response.status()}, not 404`);
  expect(nf.has_main && nf.main_max_width !== "none", `404 page at ${MISSING_PATH} is not styled: ${JSON.stringify(nf)}`);
  expect(nf.depth_links.length === 0, `404 page has links that depend on where the site and the page are: ${nf.depth_links.join(", ")}`);
  expect(blocked.length === 0, `404 page at ${MISSING_PATH}: ${blocked.join(" | ")}`);
  summary.not_found.violations = await axeViolations(missing);
  for (const v of summary.not_found.violations) {
    expect(false, `404 page at ${MISSING_PATH}: axe ${v.id} (${v.impact}): ${v.help}; at ${v.targets.join(", ")}`);
  }
  await missing.close();
  await desktop.close();
  await phone.close();
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
