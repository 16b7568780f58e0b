// The course notebooks in a real browser, as a learner sees them: node --test file, started by
// tests/browser/run.sh (which runs the Jupyter server and passes its address in BT_* variables).
//
//  1. notebooks run in the Jupyter UI: each notebook of BT_NOTEBOOKS is opened in the classic
//     notebook UI, Cell > Run All is clicked, and once the kernel is idle the page must show no
//     error, a rendered plot with data in every SVG output, at least minSvgs plots and, where
//     expected, a training progress bar (expectations.json). Screenshot: build/screenshots/<name>.png.
//     Live sliders (notebook.Explore) are moved while the notebook runs and must change their
//     figure (widgets in expectations.json); a picture of each: build/screenshots/widgets/.
//  2. HTML exports: every BT_HTML_DIR/*.html (scripts/run_notebooks.sh's nbconvert export) is opened
//     from file:// and must show as many plots with data as its executed .ipynb has SVG outputs.
//     Screenshot: build/screenshots/html/<name>.png.
//  3. self-test: the deliberately broken notebooks of expectations.json's selfTest must make the
//     same checks fail, with the expected findings.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  REPO,
  launchBrowser,
  newPage,
  loadExpectations,
  expectationFor,
  svgOutputsInNotebook,
  inspectPage,
  formatFindings,
  runInUI,
  shutdownKernel,
  screenshot,
} from './lib.mjs';

const env = process.env;
const config = loadExpectations();
const baseUrl = env.BT_JUPYTER_URL || '';
const token = env.BT_TOKEN || '';
const notebooks = (env.BT_NOTEBOOKS ?? config.default.join(' ')).split(/[\s,]+/).filter(Boolean);
const live = env.BT_LIVE !== '0';
const htmlDir = path.resolve(REPO, env.BT_HTML_DIR || 'build/notebooks');
const shotDir = path.resolve(REPO, env.BT_SCREENSHOT_DIR || 'build/screenshots');
const selfTest = env.BT_SELFTEST !== '0';
const selfTestHtmlDir = path.resolve(REPO, env.BT_SELFTEST_HTML_DIR || 'build/browser/selftest');
const timeoutS = Number(env.BT_NB_TIMEOUT || 900);
const reportFile = path.resolve(REPO, env.BT_REPORT || 'build/browser/report.json');

const log = (...a) => console.log(...a);
const report = { started: new Date().toISOString(), live: {}, html: {}, selfTest: {} };
let browser;

before(async () => {
  browser = await launchBrowser();
  log(`chromium ${browser.version()}; notebooks: ${notebooks.join(' ') || '(none)'}; mode ${env.RNN_COURSE_MODE || '?'}`);
});

after(async () => {
  await browser?.close();
  fs.mkdirSync(path.dirname(reportFile), { recursive: true });
  fs.writeFileSync(reportFile, JSON.stringify(report, null, 1) + '\n');
});

// checkLive runs one notebook (path relative to notebooks/) in the UI and returns the findings.
async function checkLive(relPath, shotFile) {
  const exp = expectationFor(config, relPath, path.join(REPO, 'notebooks', relPath));
  const page = await newPage(browser, baseUrl);
  try {
    const t0 = Date.now();
    const widgetShot = (cell) => path.join(path.dirname(shotFile), 'widgets', `${path.basename(shotFile, '.png')}-cell${cell}.png`);
    const run = await runInUI(page, { baseUrl, token, relPath, timeoutS, log, widgetShot });
    const res = await page.evaluate(inspectPage, { mode: 'live', ...exp });
    const driven = run.widgets.filter((w) => w.changed).length;
    for (const w of run.widgets.filter((x) => !x.changed)) {
      res.findings.push({ cell: w.cell, prompt: null, kind: 'widget', text: `the slider moved (position ${w.from} to ${w.to}) but the figure did not change within 30 s` });
    }
    if (driven < exp.widgets) {
      res.findings.push({ cell: -1, prompt: null, kind: 'widget', text: `${driven} live slider(s) moved their figure, expected at least ${exp.widgets}` });
    }
    if (run.timedOut) res.findings.push({ cell: -1, prompt: null, kind: 'running', text: `not finished after ${timeoutS} s (BT_NB_TIMEOUT)` });
    await screenshot(page, shotFile, { live: true });
    await shutdownKernel(page);
    const entry = {
      expect: exp,
      kernelReadyS: run.kernelReadyS,
      runS: run.runS,
      totalS: Math.round((Date.now() - t0) / 100) / 10,
      codeCells: res.cells,
      svgs: res.svgs,
      svgsWithData: res.svgsWithData,
      svgsPerCell: res.svgsPerCell,
      progressSeenMidway: run.partialStep,
      widgets: run.widgets,
      screenshot: path.relative(REPO, shotFile),
      findings: res.findings,
    };
    log(`${relPath}: kernel ready ${entry.kernelReadyS} s, Run All ${entry.runS} s, ${res.cells} code cells, ` +
      `${res.svgsWithData}/${res.svgs} plots with data (want >= ${exp.minSvgs})` +
      `${exp.progress ? `, progress bar ${run.partialStep ? 'seen updating' : 'final state only'}` : ''}` +
      `, ${driven}/${run.widgets.length} sliders changed their figure (want >= ${exp.widgets}); ${entry.screenshot}`);
    return entry;
  } finally {
    await page.context().close();
  }
}

// checkHtml opens an HTML export and checks it against its notebook.
async function checkHtml(htmlFile, nbFile, relPath, shotFile) {
  const exp = expectationFor(config, relPath, nbFile);
  exp.progress = false; // the export shows the final outputs; the live run checks progress
  let want = 0;
  if (fs.existsSync(nbFile)) want = svgOutputsInNotebook(nbFile);
  exp.minSvgs = Math.max(exp.minSvgs, want);
  const page = await newPage(browser);
  try {
    await page.goto(pathToFileURL(htmlFile).href, { waitUntil: 'load', timeout: 60_000 });
    const res = await page.evaluate(inspectPage, { mode: 'html', ...exp });
    await screenshot(page, shotFile, { live: false });
    const entry = { svgOutputsInIpynb: want, svgs: res.svgs, svgsWithData: res.svgsWithData, screenshot: path.relative(REPO, shotFile), findings: res.findings };
    log(`${path.relative(REPO, htmlFile)}: ${res.svgsWithData}/${res.svgs} plots with data (the .ipynb has ${want} SVG outputs); ${entry.screenshot}`);
    return entry;
  } finally {
    await page.context().close();
  }
}

function assertClean(what, entry) {
  if (entry.findings.length > 0) {
    assert.fail(`${what}: ${entry.findings.length} problem(s):\n${formatFindings(entry.findings)}`);
  }
}

// base names a screenshot: zh/01_x.ipynb → zh/01_x (a folder per edition).
const base = (rel) => rel.replace(/\.ipynb$/, '').replace(/^.*?((zh\/)?[^/]+)$/, '$1');

describe('notebooks run in the Jupyter UI', () => {
  for (const rel of notebooks) {
    it(rel, async (t) => {
      if (!fs.existsSync(path.join(REPO, 'notebooks', rel))) {
        t.skip(`${rel.includes('*') ? 'no notebook matches ' : ''}notebooks/${rel} ${rel.includes('*') ? '' : 'does not exist '}(yet): skipped`);
        return;
      }
      if (!live) return t.skip('BT_LIVE=0 (--html-only)');
      if (!baseUrl) return t.skip('no Jupyter server: start the test with tests/browser/run.sh');
      const entry = await checkLive(rel, path.join(shotDir, `${base(rel)}.png`));
      report.live[rel] = entry;
      assertClean(`notebooks/${rel} in the Jupyter UI`, entry);
    });
  }
});

describe('HTML exports render their plots', () => {
  // Both editions: DIR/*.html and the Chinese edition's DIR/zh/*.html.
  const list = (d, prefix) => (fs.existsSync(d) ? fs.readdirSync(d).filter((f) => f.endsWith('.html')).sort().map((f) => prefix + f) : []);
  const htmls = [...list(htmlDir, ''), ...list(path.join(htmlDir, 'zh'), 'zh/')];
  if (htmls.length === 0) {
    it(`${path.relative(REPO, htmlDir)}/*.html`, (t) => t.skip(`no HTML exports in ${path.relative(REPO, htmlDir)} (make notebooks-fast writes them)`));
  }
  for (const f of htmls) {
    it(f, async (t) => {
      const name = f.replace(/\.html$/, '');
      if (!fs.existsSync(path.join(htmlDir, f))) return t.skip(`${f} was removed while the test ran (scripts/run_notebooks.sh rewriting it?)`);
      const entry = await checkHtml(path.join(htmlDir, f), path.join(htmlDir, `${name}.ipynb`), `${name}.ipynb`, path.join(shotDir, 'html', `${name}.png`));
      report.html[f] = entry;
      assertClean(`${path.relative(REPO, htmlDir)}/${f}`, entry);
    });
  }
});

describe('self-test: broken notebooks make the checks fail', { skip: selfTest ? false : 'BT_SELFTEST=0' }, () => {
  for (const st of config.selfTest) {
    const rel = st.notebook || st.html;
    it(`${rel} fails (${st.why})`, async (t) => {
      let entry;
      const shotFile = path.join(shotDir, 'selftest', `${base(rel)}${st.html ? '.html' : ''}.png`);
      if (st.notebook) {
        if (!live || !baseUrl) return t.skip('needs the Jupyter server (run.sh)');
        entry = await checkLive(rel, shotFile);
      } else {
        const htmlFile = path.join(selfTestHtmlDir, `${base(rel)}.html`);
        if (!fs.existsSync(htmlFile)) assert.fail(`${path.relative(REPO, htmlFile)} missing: run.sh exports it with jupyter nbconvert`);
        entry = await checkHtml(htmlFile, path.join(REPO, 'notebooks', rel), rel, shotFile);
      }
      report.selfTest[rel] = entry;
      const kinds = new Set(entry.findings.map((f) => f.kind));
      log(`  the checker reported for ${rel}:\n${formatFindings(entry.findings) || '  (nothing)'}`);
      for (const k of st.mustReport) assert.ok(kinds.has(k), `${rel}: the checker must report "${k}" (${st.why}); it reported: ${[...kinds].join(', ') || 'nothing'}`);
      for (const k of st.mustNotReport || []) assert.ok(!kinds.has(k), `${rel}: the checker must not report "${k}" here; it did:\n${formatFindings(entry.findings)}`);
    });
  }
});
