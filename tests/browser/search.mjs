// Drives the built site's search box in a real headless Chromium (Debian's
// /usr/bin/chromium, through playwright-core; no browser download) and checks
// what a visitor sees. Run by tests/browser.rs:
//
//   node tests/browser/search.mjs <site-dir> <screenshot.png>
//
// Prints one JSON summary on stdout. Exit status: 0 every expectation held,
// 1 an expectation failed, 2 bad arguments, 3 the browser or playwright-core
// is missing (install them with `bash .ci/run`).
import { existsSync, mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const QUERY = "newsletter";
const MATCHING_ACTIVITY = "Sending newsletters";
const NON_MATCHING_ACTIVITY = "Invoicing";
const TIMEOUT_MS = 10_000;
const CHROMIUM = process.env.ROPA_CHROMIUM || "/usr/bin/chromium";
// The flags that work on this project's machines: without the
// background-networking ones Chromium keeps dialling hosts the closed network
// refuses. playwright-core adds --headless and a new empty user-data-dir.
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

const [siteArg, shotArg] = process.argv.slice(2);
if (!siteArg || !shotArg) {
  console.error("usage: node tests/browser/search.mjs <site-dir> <screenshot.png>");
  process.exit(2);
}
const siteDir = resolve(siteArg);
const shotPath = resolve(shotArg);
const indexHtml = resolve(siteDir, "index.html");
if (!existsSync(indexHtml)) {
  console.error(`search.mjs: no ${indexHtml}; build the site first`);
  process.exit(2);
}
if (!existsSync(CHROMIUM)) {
  console.error(`search.mjs: Chromium is not installed at ${CHROMIUM}; ${INSTALL_HINT}`);
  process.exit(3);
}
let chromium;
try {
  ({ chromium } = await import("playwright-core"));
} catch (e) {
  console.error(`search.mjs: cannot load playwright-core (${e.message}); ${INSTALL_HINT}`);
  process.exit(3);
}

const failures = [];
function expect(ok, message) {
  if (!ok) failures.push(message);
  return ok;
}

// The same folding as search.js, written again here so the test does not
// trust the code under test: NFD, strip combining marks, lower case.
function norm(s) {
  return String(s).normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
}

// Every table row of the activities table, with its text and whether it shows.
function tableRows(page) {
  return page.$$eval("table[data-filterable] tbody tr", (trs) =>
    trs.map((tr) => ({
      text: tr.textContent.replace(/\s+/g, " ").trim(),
      visible: tr.getClientRects().length > 0 && getComputedStyle(tr).visibility !== "hidden",
    })),
  );
}

function resultItems(page) {
  return page.$$eval("#search-results li", (lis) =>
    lis.map((li) => {
      const a = li.querySelector("a");
      return {
        text: li.textContent.replace(/\s+/g, " ").trim(),
        href: a ? a.getAttribute("href") : null,
        none: li.classList.contains("none"),
      };
    }),
  );
}

const summary = {
  ok: false,
  query: QUERY,
  chromium: CHROMIUM,
  page: pathToFileURL(indexHtml).href,
  screenshot: shotPath,
};

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  headless: true,
  args: CHROMIUM_ARGS,
  timeout: 30_000,
});
summary.browser_version = browser.version();

try {
  // ---- With JavaScript: the box shows and filters as the user types. ----
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await ctx.newPage();
  page.setDefaultTimeout(TIMEOUT_MS);
  const pageErrors = [];
  page.on("pageerror", (e) => pageErrors.push(String(e)));
  page.on("console", (m) => {
    if (m.type() === "error") pageErrors.push(m.text());
  });
  await page.goto(summary.page, { waitUntil: "load" });

  const box = page.locator(".search");
  const input = page.locator("#search-input");
  await box.waitFor({ state: "visible" }).catch(() => {});
  summary.search_visible = await box.isVisible();
  expect(summary.search_visible, "the search box is not visible with JavaScript on");
  summary.input_visible = await input.isVisible();
  expect(summary.input_visible, "#search-input is not visible with JavaScript on");
  if (!summary.input_visible) throw new Error("no search box to type into; the rest of the JavaScript checks cannot run");

  const index = await page.evaluate(() => window.ropaSearchIndex);
  expect(Array.isArray(index) && index.length > 0, "window.ropaSearchIndex is missing or empty");
  const entries = Array.isArray(index) ? index : [];
  summary.index_entries = entries.length;
  const expected = entries
    .filter((e) => norm([e.n, e.t, e.k].join(" ")).includes(norm(QUERY)))
    .slice(0, 50);
  summary.expected_results = expected.map((e) => `${e.k}: ${e.n}`);
  expect(
    expected.some((e) => e.n === MATCHING_ACTIVITY),
    `the index has no entry "${MATCHING_ACTIVITY}" matching "${QUERY}"; the example registry changed?`,
  );

  const before = await tableRows(page);
  summary.rows_total = before.length;
  summary.rows_before = before.filter((r) => r.visible).length;
  expect(summary.rows_before > 1, `the activities table shows ${summary.rows_before} rows before searching`);
  expect(summary.rows_before === before.length, "some activity rows are hidden before searching");
  expect((await resultItems(page)).length === 0, "#search-results is not empty before searching");

  // Type like a person: one key at a time, each firing an input event.
  await input.click();
  await input.pressSequentially(QUERY, { delay: 25 });
  await page
    .waitForFunction(
      (n) => document.querySelectorAll("#search-results li").length === n,
      expected.length,
      { timeout: TIMEOUT_MS },
    )
    .catch(() => {});
  // Let any late handler run before reading what the page shows.
  await page.waitForTimeout(100);

  const results = await resultItems(page);
  summary.results = results.map((r) => r.text);
  summary.results_visible = await page.locator("#search-results").isVisible();
  expect(summary.results_visible, "#search-results is not visible after typing");
  expect(results.length > 0, `no results for "${QUERY}"`);
  expect(!results.some((r) => r.none), `the "no results" line shows for "${QUERY}"`);
  expect(
    results.some((r) => r.text.includes(MATCHING_ACTIVITY)),
    `no result names "${MATCHING_ACTIVITY}"`,
  );
  expect(
    !results.some((r) => r.text.includes(NON_MATCHING_ACTIVITY)),
    `a result names "${NON_MATCHING_ACTIVITY}", which does not match "${QUERY}"`,
  );
  // Each result must be an index entry that matches, and every match must be listed.
  const expectedHrefs = expected.map((e) => e.u).sort();
  const gotHrefs = results.map((r) => r.href).sort();
  for (const r of results) {
    const entry = entries.find((e) => e.u === r.href);
    if (!expect(entry, `result "${r.text}" links to ${r.href}, which is not in the index`)) continue;
    expect(
      norm([entry.n, entry.t, entry.k].join(" ")).includes(norm(QUERY)),
      `result "${r.text}" does not match "${QUERY}"`,
    );
    expect(r.text.includes(entry.n), `result "${r.text}" does not show its name "${entry.n}"`);
  }
  expect(
    JSON.stringify(gotHrefs) === JSON.stringify(expectedHrefs),
    `results ${JSON.stringify(gotHrefs)} != matching index entries ${JSON.stringify(expectedHrefs)}`,
  );

  const after = await tableRows(page);
  const shown = after.filter((r) => r.visible);
  summary.rows_after = shown.length;
  summary.rows_after_names = shown.map((r) => r.text);
  expect(
    summary.rows_after < summary.rows_before,
    `the table still shows ${summary.rows_after} of ${summary.rows_before} rows after typing`,
  );
  expect(summary.rows_after > 0, "the table hides every row, even the matching one");
  for (const r of after) {
    const hit = norm(r.text).includes(norm(QUERY));
    expect(r.visible === hit, `row "${r.text}" is ${r.visible ? "shown" : "hidden"} but ${hit ? "matches" : "does not match"}`);
  }
  expect(
    shown.some((r) => r.text.includes(MATCHING_ACTIVITY)),
    `the row "${MATCHING_ACTIVITY}" is not shown`,
  );

  mkdirSync(dirname(shotPath), { recursive: true });
  await page.screenshot({ path: shotPath, fullPage: true });

  // Clearing the box brings every row back and empties the list.
  await input.fill("");
  await page
    .waitForFunction(
      (n) =>
        Array.from(document.querySelectorAll("table[data-filterable] tbody tr")).filter((tr) => !tr.hidden)
          .length === n,
      summary.rows_before,
      { timeout: TIMEOUT_MS },
    )
    .catch(() => {});
  const cleared = await tableRows(page);
  summary.rows_cleared = cleared.filter((r) => r.visible).length;
  expect(
    summary.rows_cleared === summary.rows_before,
    `clearing the box shows ${summary.rows_cleared} rows, not ${summary.rows_before}`,
  );
  summary.results_cleared = (await resultItems(page)).length;
  expect(summary.results_cleared === 0, "#search-results is not empty after clearing the box");

  // Escape clears too (search.js's keydown handler).
  await input.pressSequentially(QUERY, { delay: 10 });
  await page.waitForFunction(() => document.querySelectorAll("#search-results li").length > 0).catch(() => {});
  await input.press("Escape");
  await page.waitForTimeout(50);
  summary.rows_after_escape = (await tableRows(page)).filter((r) => r.visible).length;
  summary.input_after_escape = await input.inputValue();
  expect(summary.input_after_escape === "", "Escape does not clear the search box");
  expect(
    summary.rows_after_escape === summary.rows_before,
    `after Escape the table shows ${summary.rows_after_escape} rows, not ${summary.rows_before}`,
  );

  summary.page_errors = pageErrors;
  expect(pageErrors.length === 0, `the page logged errors: ${pageErrors.join(" | ")}`);
  await ctx.close();

  // ---- Without JavaScript: the table still reads, the box stays hidden. ----
  const noJs = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1280, height: 900 } });
  const plain = await noJs.newPage();
  plain.setDefaultTimeout(TIMEOUT_MS);
  await plain.goto(summary.page, { waitUntil: "load" });
  summary.nojs_search_present = (await plain.locator(".search").count()) === 1;
  summary.nojs_search_visible = await plain.locator(".search").isVisible();
  summary.nojs_input_visible = await plain.locator("#search-input").isVisible();
  expect(summary.nojs_search_present, "without JavaScript the page has no .search element at all");
  expect(!summary.nojs_search_visible, "without JavaScript the search box shows");
  expect(!summary.nojs_input_visible, "without JavaScript #search-input shows");
  summary.nojs_table_visible = await plain.locator("table[data-filterable]").isVisible();
  expect(summary.nojs_table_visible, "without JavaScript the activities table is not visible");
  summary.nojs_rows = (await tableRows(plain)).filter((r) => r.visible).length;
  expect(
    summary.nojs_rows === summary.rows_total,
    `without JavaScript the table shows ${summary.nojs_rows} of ${summary.rows_total} rows`,
  );
  await noJs.close();

  // ---- Print: a record prints without navigation, with link targets. ----
  const printCtx = await browser.newContext({ viewport: { width: 1000, height: 1400 } });
  const printed = await printCtx.newPage();
  printed.setDefaultTimeout(TIMEOUT_MS);
  await printed.emulateMedia({ media: "print" });
  const record = summary.page.replace(/index\.html$/, "records/controller.html");
  await printed.goto(record, { waitUntil: "load" });
  summary.print_header_visible = await printed.locator("header.site-header").isVisible();
  expect(!summary.print_header_visible, "in print, the header and navigation still show");
  summary.print_link_target = await printed.evaluate(() => {
    // An address link (mailto:, a website) shows its address as its text.
    const a = document.querySelector("main a[href]:not(.address)");
    return a ? getComputedStyle(a, "::after").content : null;
  });
  expect(
    typeof summary.print_link_target === "string" && summary.print_link_target.includes(".html"),
    `in print, links do not show their target (::after is ${summary.print_link_target})`,
  );
  const pdf = await printed.pdf({ format: "A4" });
  summary.print_pdf_bytes = pdf.length;
  expect(pdf.length > 1000 && pdf.subarray(0, 5).toString() === "%PDF-", "printing the controller record gives no PDF");
  await printCtx.close();
} catch (e) {
  failures.push(`unexpected error: ${e && e.stack ? e.stack : e}`);
} finally {
  await browser.close();
}

summary.failures = failures;
summary.ok = failures.length === 0;
console.log(JSON.stringify(summary, null, 2));
process.exit(summary.ok ? 0 : 1);
