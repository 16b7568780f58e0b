// Helpers for notebooks.test.mjs: launching Debian's Chromium, driving the classic Jupyter UI
// (notebook 6.4) like a learner does, and inspecting what the page shows.
//
// The inspection runs inside the page (inspectPage) and returns "findings", the same idea as
// tools/nbcheck: {cell, prompt, kind, text}. Kinds:
//   error         an error output (the red box: output_error, or nbconvert's error output)
//   stderr        stderr output showing a failure ("panic:", "fatal error:", "exit status N", N>0)
//   unexecuted    a code cell with source but no execution count after the run
//   running       a code cell still showing In [*] (the run timed out)
//   order         execution counts not increasing down the notebook (stale outputs)
//   svg-size      a plot whose <svg> rendered with zero width or height
//   svg-empty     a plot whose <svg> has no data in it (no curve, bar, point or shape)
//   too-few-svgs  fewer plots with data than the notebook's expectation (minSvgs)
//   no-progress   the notebook should show a training progress bar ("step i/N", "批次 i/N") and does not
//   dialog        a modal dialog is open (dead kernel, missing kernel spec, ...)
//   lost-output   (live) the kernel sent a cell more display messages than the cell shows, or
//                 sent outputs after the cell had finished, which the classic UI drops
//   widget        (live) fewer live notebook.Explore sliders than expected (widgets), or one
//                 whose figure did not change when the slider moved (runInUI drives them)
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const HERE = path.dirname(fileURLToPath(import.meta.url));
export const REPO = path.resolve(HERE, '..', '..');

// Never download a browser: Playwright drives the Debian package.
process.env.PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD = '1';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
  '--disable-quic',
];

export async function launchBrowser() {
  const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
  return chromium.launch({ executablePath, args: CHROMIUM_ARGS, headless: true, timeout: 120_000 });
}

// newPage opens a page that may only reach file:// URLs and the given origin (the Jupyter
// server): the network is closed on the project's machines, and an export that needs a CDN to
// show its plots must not pass by luck.
export async function newPage(browser, allowedOrigin = null) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('file:') || url.startsWith('data:') || (allowedOrigin && url.startsWith(allowedOrigin))) {
      return route.continue();
    }
    return route.abort('blockedbyclient');
  });
  const page = await context.newPage();
  page.on('dialog', (d) => d.dismiss().catch(() => {})); // beforeunload etc.
  return page;
}

export function loadExpectations() {
  return JSON.parse(fs.readFileSync(path.join(HERE, 'expectations.json'), 'utf8'));
}

// expectationFor merges a notebook's entry in expectations.json with its own metadata.
export function expectationFor(config, relPath, nbFile) {
  // The Chinese edition (zh/NN.ipynb) shares the English notebook's expectations unless it has its own.
  const entry = config.notebooks[relPath] || config.notebooks[relPath.replace(/^zh\//, '')] || {};
  let requireSvg = false;
  let allowEnglish = [];
  try {
    const nbc = JSON.parse(fs.readFileSync(nbFile, 'utf8')).metadata?.nbcheck;
    requireSvg = !!nbc?.require_svg;
    allowEnglish = nbc?.allow_english ?? [];
  } catch {
    // unreadable notebooks fail later, when the UI opens them
  }
  return {
    progress: !!entry.progress,
    minSvgs: Math.max(entry.minSvgs ?? 0, requireSvg ? 1 : 0),
    // Live notebook.Explore sliders that must move their figure (the live run drives them).
    widgets: entry.widgets ?? 0,
    // The Chinese edition (notebooks/zh/) must render Chinese prose, printed text and plot text.
    lang: entry.lang ?? (relPath.startsWith('zh/') ? 'zh' : 'en'),
    // Patterns (notebook metadata nbcheck.allow_english, as tools/nbcheck reads it) of output
    // lines a translated edition may print in English: a cell with such a line prints sample text.
    allowEnglish,
  };
}

// svgOutputsInNotebook counts the outputs of a saved notebook that display an SVG (image/svg+xml,
// or text/html holding an <svg>): its HTML export must show as many plots with data.
export function svgOutputsInNotebook(nbFile) {
  const nb = JSON.parse(fs.readFileSync(nbFile, 'utf8'));
  const text = (v) => (Array.isArray(v) ? v.join('') : String(v ?? ''));
  let n = 0;
  for (const cell of nb.cells || []) {
    for (const out of cell.outputs || []) {
      const data = out.data || {};
      if ('image/svg+xml' in data || /<svg[\s>]/i.test(text(data['text/html']))) n++;
    }
  }
  return n;
}

// inspectPage runs in the browser. mode 'live': the classic Jupyter UI; 'html': an nbconvert
// 6.5 (lab template) HTML export. Returns {findings, cells, svgs, progressText}.
export function inspectPage({ mode, progress, minSvgs, lang, allowEnglish = [] }) {
  const findings = [];
  const clip = (s) => String(s).replace(/\u00a0/g, ' ').trim().split('\n').slice(0, 6).join('\n').slice(0, 600);
  const badStderr = (t) =>
    /^\s*panic: /m.test(t) || /^\s*fatal error: /m.test(t) || /\bexit status [1-9]\d*\b/.test(t) ||
    /^\s*goroutine \d+ \[running\]/m.test(t);

  let cells;
  if (mode === 'live') {
    cells = window.Jupyter.notebook.get_cells().map((c, i) => ({
      index: i,
      el: c.element[0],
      type: c.cell_type,
      source: c.get_text(),
      prompt: c.cell_type === 'code' ? c.input_prompt_number : undefined,
      msgId: c.cell_type === 'code' ? c.last_msg_id : undefined,
      outputs: c.cell_type === 'code' ? c.output_area.outputs : [],
    }));
  } else {
    cells = [...document.querySelectorAll('.jp-Cell')].map((el, i) => {
      const m = /\[(.*?)\]/.exec(el.querySelector('.jp-InputPrompt')?.textContent || '');
      const p = m ? m[1].replace(/\u00a0/g, ' ').trim() : '';
      return {
        index: i,
        el,
        type: el.classList.contains('jp-CodeCell') ? 'code' : 'other',
        source: el.querySelector('.jp-InputArea-editor')?.textContent || '',
        prompt: p === '' ? null : p === '*' ? '*' : Number(p),
      };
    });
  }

  const outSel = mode === 'live' ? '.output_area' : '.jp-OutputArea-output';
  let svgsWithData = 0;
  let svgCount = 0;
  let progressText = '';
  let lastCount = 0;
  const svgsPerCell = {};
  for (const c of cells) {
    if (c.type !== 'code') continue;
    const add = (kind, text) => findings.push({ cell: c.index, prompt: c.prompt ?? null, kind, text: clip(text) });
    const hasSource = c.source.trim() !== '';
    if (c.prompt === '*') add('running', 'still In [*] when the run ended');
    else if (hasSource && (c.prompt === null || c.prompt === undefined || Number.isNaN(c.prompt))) {
      add('unexecuted', c.source.split('\n')[0]);
    } else if (typeof c.prompt === 'number') {
      if (c.prompt <= lastCount) add('order', `In [${c.prompt}] after In [${lastCount}]`);
      lastCount = c.prompt;
    }

    // Errors.
    // (nbconvert's HTML shows error outputs and stderr streams alike, as stderr.)
    if (mode === 'live') for (const e of c.el.querySelectorAll('.output_error')) add('error', e.innerText || e.textContent);
    const stderrSel = mode === 'live' ? '.output_stderr' : '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]';
    for (const e of c.el.querySelectorAll(stderrSel)) {
      const t = e.innerText || e.textContent;
      if (badStderr(t)) add('stderr', t);
    }
    const stdoutSel = mode === 'live' ? '.output_stdout' : '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stdout"]';
    for (const e of c.el.querySelectorAll(stdoutSel)) progressText += (e.innerText || e.textContent) + '\n';

    // A translated edition prints no English sentence: four or more English words in a row on a
    // line without Chinese (the rule of tools/nbcheck), outside cells that print sample text.
    if (lang === 'zh') {
      const printedSel = mode === 'live'
        ? '.output_stdout, .output_markdown'
        : '.jp-OutputArea-output[data-mime-type="text/plain"], .jp-OutputArea-output[data-mime-type="text/markdown"], .jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stdout"]';
      const lines = [...c.el.querySelectorAll(printedSel)]
        .flatMap((e) => (e.innerText || e.textContent).replace(/\u00a0/g, ' ').split('\n'));
      const allow = allowEnglish.map((re) => new RegExp(re));
      if (!lines.some((l) => allow.some((re) => re.test(l)))) {
        const english = lines.filter((l) => !/\p{Script=Han}/u.test(l) && /\b[A-Za-z][a-z]*(?:,? [a-z]+){3,}\b/.test(l));
        if (english.length > 0) add('english', english.join('\n'));
      }
    }

    // Outputs the kernel sent for this cell that the page does not show (late messages).
    if (mode === 'live' && window.__btIopub && c.msgId) {
      const st = window.__btIopub;
      const sent = (t) => st.sent[`${c.msgId} ${t}`] || 0;
      const late = (t) => st.late[`${c.msgId} ${t}`] || 0;
      const shown = c.outputs.filter((o) => o.output_type === 'display_data' || o.output_type === 'execute_result').length;
      const displays = sent('display_data') + sent('execute_result');
      if (displays > shown || late('display_data') + late('execute_result') + late('stream') + late('error') > 0) {
        add('lost-output', `the kernel sent ${displays} display message(s), the cell shows ${shown}; ` +
          `arrived after the cell had finished (dropped by the UI): ${late('display_data')} display_data, ${late('stream')} stream, ${late('error')} error`);
      }
    }

    // Plots: every top-level <svg> in an output must have a size and data.
    const svgs = [...c.el.querySelectorAll(`${outSel} svg`)].filter((s) => !s.parentElement.closest('svg'));
    if (svgs.length > 0) svgsPerCell[c.index] = svgs.length;
    for (const [k, svg] of svgs.entries()) {
      svgCount++;
      const box = svg.getBoundingClientRect();
      const label = `plot ${k + 1} of the cell (${Math.round(box.width)}x${Math.round(box.height)} px)`;
      if (box.width < 1 || box.height < 1) {
        add('svg-size', `${label} rendered with no size`);
        continue;
      }
      // Data marks: what a plot draws beyond its background, frame, grid and text. Lines are
      // grid and ticks; a series is a path or polyline with at least two points; bars are filled
      // rects that are not the background; points and diagrams use circles and polygons.
      const numbers = (s) => (String(s || '').match(/-?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?/gi) || []).length;
      let marks = 0;
      for (const el of svg.querySelectorAll('path, polyline, polygon, circle, ellipse, rect')) {
        const r = el.getBoundingClientRect();
        if (r.width <= 0 && r.height <= 0) continue;
        const tag = el.tagName.toLowerCase();
        const st = getComputedStyle(el);
        if (st.visibility === 'hidden' || st.display === 'none') continue;
        if (tag === 'path') {
          if (numbers(el.getAttribute('d')) >= 4) marks++;
        } else if (tag === 'polyline' || tag === 'polygon') {
          if (numbers(el.getAttribute('points')) >= 4) marks++;
        } else if (tag === 'circle' || tag === 'ellipse') {
          marks++;
        } else if (tag === 'rect') {
          const background = Math.abs(r.width - box.width) < 2 && Math.abs(r.height - box.height) < 2;
          const filled = st.fill !== 'none' && !/^rgba?\(255, 255, 255(, 1)?\)$/.test(st.fill) && st.fillOpacity !== '0';
          if (filled && !background) marks++;
        }
      }
      if (marks === 0) {
        const src = svg.outerHTML;
        add('svg-empty', `${label} has no data in it: ${src.length > 200 ? src.slice(0, 200) + '...' : src}`);
      } else {
        svgsWithData++;
      }
    }
  }
  if (svgsWithData < minSvgs) {
    findings.push({ cell: -1, prompt: null, kind: 'too-few-svgs', text: `${svgsWithData} plot(s) with data, expected at least ${minSvgs}` });
  }
  if (lang === 'zh') {
    // Chinese must be rendered as text in the prose, in the printed output and inside the plots
    // (titles, labels, legends). Whether the glyphs are real or boxes depends on the system's
    // fonts: run.sh requires a CJK font (fc-list :lang=zh) before the test.
    const han = (t) => (String(t).match(/\p{Script=Han}/gu) || []).length;
    const mdSel = mode === 'live' ? '.text_cell_render' : '.jp-MarkdownOutput';
    const prose = [...document.querySelectorAll(mdSel)].map((e) => e.innerText || e.textContent).join('\n');
    const svgText = [...document.querySelectorAll(`${outSel} svg text`)].map((e) => e.textContent).join('\n');
    // Printed output: stdout and Markdown displays (nbconvert 6.5's HTML marks stdout text/plain).
    const printedSel = mode === 'live'
      ? '.output_stdout, .output_markdown'
      : '.jp-OutputArea-output[data-mime-type="text/plain"], .jp-OutputArea-output[data-mime-type="text/markdown"], .jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stdout"]';
    const printed = [...document.querySelectorAll(printedSel)].map((e) => e.innerText || e.textContent).join('\n');
    const kinds = [['prose', prose, 200], ['printed output', printed, 10], ['plot text', svgText, 10]];
    for (const [what, text, want] of kinds) {
      if (han(text) < want) {
        findings.push({ cell: -1, prompt: null, kind: 'not-chinese', text: `${what}: ${han(text)} Chinese characters rendered, expected at least ${want}` });
      }
    }
  }
  if (progress && !/(?:step|第) \d+\/\d+/.test(progressText)) {
    findings.push({ cell: -1, prompt: null, kind: 'no-progress', text: 'no output matches /(?:step|第) \\d+\\/\\d+/ (training progress bar)' });
  }
  if (mode === 'live') {
    for (const d of document.querySelectorAll('.modal-dialog')) {
      if (d.offsetParent !== null) findings.push({ cell: -1, prompt: null, kind: 'dialog', text: clip(d.innerText) });
    }
  }
  return { findings, cells: cells.filter((c) => c.type === 'code').length, svgs: svgCount, svgsWithData, svgsPerCell, progressText: progressText.slice(-2000) };
}

export function formatFindings(findings) {
  return findings
    .map((f) => {
      const where = f.cell < 0 ? 'notebook' : `cell ${f.cell}${typeof f.prompt === 'number' ? ` (In [${f.prompt}])` : ''}`;
      return `  ${where}: ${f.kind}: ${f.text.replace(/\n/g, '\n      | ')}`;
    })
    .join('\n');
}

// liveState runs in the page while cells execute.
function liveState() {
  const nb = window.Jupyter?.notebook;
  if (!nb) return null;
  const code = nb.get_cells().filter((c) => c.cell_type === 'code');
  const icon = document.querySelector('#kernel_indicator_icon');
  const dialogs = [...document.querySelectorAll('.modal-dialog')].filter((d) => d.offsetParent !== null);
  const stdout = [...document.querySelectorAll('.output_stdout')].map((e) => e.textContent).join('\n');
  const steps = [...stdout.matchAll(/(?:step|批次|第) (\d+)\/(\d+)/g)]; // English and Chinese bars
  return {
    total: code.length,
    running: code.filter((c) => c.input_prompt_number === '*').length,
    done: code.filter((c) => typeof c.input_prompt_number === 'number').length,
    idle: !!icon && icon.classList.contains('kernel_idle_icon'),
    kernelTitle: icon?.getAttribute('title') || '',
    dialog: dialogs.map((d) => d.innerText.trim()).join(' | ').slice(0, 500),
    // A progress bar caught half-way ("step i/N" or "批次 i/N", i < N) shows that output streams while training.
    partialStep: steps.some((m) => Number(m[1]) < Number(m[2])),
  };
}

// countIopub runs in the page: it counts, per request, the outputs the kernel sent (display_data,
// execute_result, stream, error) and those that arrived after the UI had closed that request (a
// late message: the classic UI drops it, the learner never sees it). inspectPage compares the
// counts with what each cell shows.
function countIopub() {
  const k = window.Jupyter.notebook.kernel;
  const stats = (window.__btIopub = { sent: {}, late: {} });
  const orig = k._handle_iopub_message.bind(k);
  k._handle_iopub_message = (msg) => {
    const type = msg.header.msg_type;
    const parent = msg.parent_header?.msg_id;
    if (parent && ['display_data', 'execute_result', 'error', 'stream'].includes(type)) {
      const key = `${parent} ${type}`;
      stats.sent[key] = (stats.sent[key] || 0) + 1;
      if (!k.get_callbacks_for_msg(parent)) stats.late[key] = (stats.late[key] || 0) + 1;
    }
    return orig(msg);
  };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// liveWidgets runs in the page: it marks and returns the cells showing a live notebook.Explore
// widget (pkg/notebook/widget.go) not driven yet: a .rnn-explore with a GoNB slider and Done
// button, and the .rnn-explore-figure it controls.
function liveWidgets() {
  const found = [];
  for (const [index, c] of window.Jupyter.notebook.get_cells().entries()) {
    const el = c.element[0];
    const ctrl = el.querySelector('.rnn-explore');
    const fig = el.querySelector('.rnn-explore-figure');
    const slider = ctrl?.querySelector('input[type=range]');
    const button = ctrl?.querySelector('button');
    if (!ctrl || !fig || !slider || !button || ctrl.dataset.btDriven) continue;
    ctrl.dataset.btDriven = String(index);
    found.push({ index, pos: Number(fig.dataset.position), min: Number(slider.min), max: Number(slider.max) });
  }
  return found;
}

// figureState runs in the page: the position and SVG that cell `index`'s live figure shows.
function figureState(index) {
  const fig = window.Jupyter.notebook.get_cell(index).element[0].querySelector('.rnn-explore-figure');
  const svg = fig?.querySelector('svg');
  return { pos: fig ? Number(fig.dataset.position) : null, svg: svg ? svg.outerHTML : '', label: fig?.querySelector('.rnn-explore-value')?.textContent || '' };
}

// driveWidgets moves, like a learner with the keyboard, the slider of every live widget that
// has appeared (End, or Home when it already is at the end), waits until its figure shows
// another position and another SVG, then clicks its Done button so that the notebook goes on.
// Returns one record per widget: {cell, from, to, labels, changed, waitMs}.
// With shotFile(cellIndex) given, it also saves a picture of the moved slider's figure.
export async function driveWidgets(page, log, shotFile = null) {
  const records = [];
  for (const w of await page.evaluate(liveWidgets)) {
    const before = await page.evaluate(figureState, w.index);
    const ctrl = page.locator(`.rnn-explore[data-bt-driven="${w.index}"]`);
    const slider = ctrl.locator('input[type=range]');
    await slider.focus();
    await page.keyboard.press(w.pos >= w.max ? 'Home' : 'End');
    const t0 = Date.now();
    let changed = true;
    try {
      await page.waitForFunction(
        ([index, pos, svg]) => {
          const fig = window.Jupyter.notebook.get_cell(index).element[0].querySelector('.rnn-explore-figure');
          const s = fig?.querySelector('svg');
          return !!fig && Number(fig.dataset.position) !== pos && !!s && s.outerHTML !== svg;
        },
        [w.index, before.pos, before.svg],
        { timeout: 30_000, polling: 100 },
      );
    } catch {
      changed = false;
    }
    const after = await page.evaluate(figureState, w.index);
    const rec = { cell: w.index, from: before.pos, to: after.pos, labels: [before.label, after.label], changed, waitMs: Date.now() - t0 };
    records.push(rec);
    log(`  widget in cell ${w.index}: slider moved, figure ${changed ? `went from "${before.label}" to "${after.label}" in ${rec.waitMs} ms` : 'did NOT change within 30 s'}`);
    if (shotFile) {
      const file = shotFile(w.index);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      // The live figure and its label (a whole cell can be taller than the page, which the
      // classic UI scrolls inside #site and a picture would cut).
      const fig = await page.evaluateHandle((i) => window.Jupyter.notebook.get_cell(i).element[0].querySelector('.rnn-explore-figure'), w.index);
      await fig.asElement().screenshot({ path: file, timeout: 30_000 }).catch((e) => log(`  (no picture of the widget: ${e.message.split('\n')[0]})`));
      rec.screenshot = path.relative(REPO, file);
    }
    await ctrl.locator('button').click();
  }
  return records;
}

// runInUI opens a notebook in the classic UI, waits for its kernel, clicks Cell > Run All and
// waits until every code cell has finished and the kernel is idle. Returns timings (seconds) and
// whether a progress bar was seen half-way; throws on timeout only through the findings (the
// caller inspects the page either way).
export async function runInUI(page, { baseUrl, token, relPath, timeoutS, log, widgetShot = null }) {
  const t0 = Date.now();
  const secs = (t) => Math.round((Date.now() - t) / 100) / 10;
  const url = `${baseUrl}/notebooks/${relPath.split('/').map(encodeURIComponent).join('/')}?token=${token}`;
  await page.goto(url, { waitUntil: 'load', timeout: 120_000 });
  await page.waitForFunction(
    () => {
      const nb = window.Jupyter?.notebook;
      const dialog = [...document.querySelectorAll('.modal-dialog')].some((d) => d.offsetParent !== null);
      return dialog || (nb && nb._fully_loaded && nb.kernel && nb.kernel.is_connected() &&
        document.querySelector('#kernel_indicator_icon.kernel_idle_icon') !== null);
    },
    null,
    { timeout: 120_000, polling: 250 },
  );
  // Never save: a test run must not write outputs into the course notebooks (the server refuses
  // saves as well, see nosave_contents.py).
  await page.evaluate(() => window.Jupyter.notebook.set_autosave_interval(0));
  await page.evaluate(countIopub);
  const kernelReadyS = secs(t0);
  let state = await page.evaluate(liveState);
  if (state.dialog) return { kernelReadyS, runS: 0, partialStep: false, timedOut: false, widgets: [] };

  // What a learner does: the Cell menu, then Run All.
  const tRun = Date.now();
  await page.click('#celllink');
  await page.click('#run_all_cells');
  let partialStep = false;
  let lastLog = Date.now();
  let idleSince = null;
  const widgets = [];
  for (;;) {
    widgets.push(...(await driveWidgets(page, log, widgetShot)));
    state = await page.evaluate(liveState);
    partialStep ||= state.partialStep;
    if (state.dialog) break;
    if (state.running === 0 && state.idle) {
      // Idle with nothing queued, twice in a row a second apart (the kernel can go idle between
      // two cells for a moment).
      if (idleSince !== null && Date.now() - idleSince >= 1000) break;
      idleSince ??= Date.now();
    } else {
      idleSince = null;
    }
    if (Date.now() - tRun > timeoutS * 1000) {
      log(`  timed out after ${timeoutS} s: ${state.done}/${state.total} cells done, ${state.running} running`);
      return { kernelReadyS, runS: secs(tRun), partialStep, timedOut: true, widgets };
    }
    if (Date.now() - lastLog > 20_000) {
      log(`  ... ${secs(tRun)} s: ${state.done}/${state.total} code cells done, kernel ${state.kernelTitle || '?'}`);
      lastLog = Date.now();
    }
    await sleep(500);
  }
  return { kernelReadyS, runS: secs(tRun), partialStep, timedOut: false, widgets };
}

// shutdownKernel ends the notebook's session (its kernel) through the page, as the UI's
// "Close and Halt" does, so that notebooks do not compete for the CPU.
export async function shutdownKernel(page) {
  await page
    .evaluate(
      () =>
        new Promise((resolve) => {
          const s = window.Jupyter?.notebook?.session;
          if (!s) return resolve();
          s.delete(resolve, resolve);
          setTimeout(resolve, 10_000);
        }),
    )
    .catch(() => {});
}

// screenshot saves a full-page PNG. The classic UI scrolls inside #site (a fixed-height box), so
// for a picture of the whole notebook the page is unrolled first.
export async function screenshot(page, file, { live }) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  if (live) {
    await page.addStyleTag({
      content: `html, body { height: auto !important; overflow: visible !important; }
        #site { height: auto !important; overflow: visible !important; display: block !important; }
        #header { position: static !important; }
        .CodeMirror-cursors { display: none !important; }`,
    });
    await page.evaluate(() => window.scrollTo(0, 0));
  }
  await page.screenshot({ path: file, fullPage: true, animations: 'disabled', timeout: 120_000 });
}
