// Drives Guardian's status page in a real headless browser (Debian's chromium through playwright-core).
//
//   node status-page.mjs URL [--screenshot PATH] [--timeout MS] [--interactive] [STEP ...]
//
// A STEP is a command line argument of the form `--expect-state READY` or a line on stdin (with --interactive) of
// the form `expect-state READY`. Steps run one after another; each waits until its condition holds or its timeout
// (default 10000 ms, changed by `timeout MS`) passes. Steps:
//   expect-state S           the big state reads S
//   expect-text KEY=TEXT     the check KEY (data-check) or the part KEY (data-testid) contains TEXT
//   expect-stale             the "data is stale" banner is shown
//   expect-fresh             the banner is not shown
//   expect-no-element CSS    no element matches CSS (e.g. markup that a reason smuggled in)
//   expect-unset NAME        window[NAME] is undefined (a smuggled script did not run)
//   screenshot PATH          full-page screenshot
//   timeout MS               timeout of the following steps
//   quit                     close the browser and exit 0 (also on end of stdin)
//
// stdout carries one JSON object per line, each with `event` and `at` (epoch milliseconds):
//   {"event":"loaded","url":…}                               the page is open
//   {"event":"observed","state":…,"stale":…}                 the page's display changed (watched in the page)
//   {"event":"console","type":"error","text":…}              the page logged an error or threw
//   {"event":"step","step":…,"ok":true,"value":…,"elapsed_ms":…}   a step's condition holds
//   {"event":"step","step":…,"ok":false,"message":…}         a step failed; the script then exits 1
// Exit codes: 0 all steps held, 1 a step failed, 2 the browser could not be started or the arguments are wrong.
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--no-first-run'];

function emit(event, fields = {}) {
  process.stdout.write(JSON.stringify({ event, at: Date.now(), ...fields }) + '\n');
}

function usage(message) {
  process.stderr.write(`status-page: ${message}\n`);
  process.exit(2);
}

function parseArgs(argv) {
  const opts = { url: null, screenshot: null, timeout: 10000, interactive: false, steps: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) usage(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--screenshot') opts.screenshot = value();
    else if (a === '--timeout') opts.timeout = Number(value());
    else if (a === '--interactive') opts.interactive = true;
    else if (a === '--expect-stale' || a === '--expect-fresh') opts.steps.push(a.slice(2));
    else if (a.startsWith('--expect-')) opts.steps.push(a.slice(2) + ' ' + value());
    else if (a.startsWith('--')) usage(`unknown option ${a}`);
    else if (opts.url === null) opts.url = a;
    else usage(`unexpected argument ${a}`);
  }
  if (!opts.url) usage('usage: node status-page.mjs URL [--screenshot PATH] [--timeout MS] [--interactive] [--expect-… …]');
  if (!(opts.timeout > 0)) usage('--timeout needs a positive number of milliseconds');
  return opts;
}

async function loadPlaywright() {
  try {
    return (await import('playwright-core')).chromium;
  } catch (e) {
    usage(`playwright-core is not installed: run \`npm ci\` in src/test/js (${e.message})`);
  }
}

// Runs inside the page: reports every change of the displayed state or banner to the driver.
function watchDisplay() {
  let last = '';
  const report = () => {
    const state = document.querySelector('[data-testid="state"]');
    const stale = document.body.classList.contains('stale');
    const key = (state ? state.textContent : '') + '|' + stale;
    if (key !== last) {
      last = key;
      window.__statusObserved({ state: state ? state.textContent : null, stale });
    }
  };
  const start = () => {
    new MutationObserver(report).observe(document.body, { subtree: true, childList: true, characterData: true,
      attributes: true, attributeFilter: ['class'] });
    report();
  };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
}

// Conditions, each evaluated in the page; they return a value to report when they hold, or null.
const CONDITIONS = {
  'expect-state': (arg) => [(want) => {
    const e = document.querySelector('[data-testid="state"]');
    return e && e.textContent === want ? e.textContent : null;
  }, arg, () => `the state is not ${arg}`],
  'expect-text': (arg) => {
    const eq = arg.indexOf('=');
    if (eq <= 0) throw new Error('expect-text needs KEY=TEXT');
    const key = arg.slice(0, eq), text = arg.slice(eq + 1);
    return [([k, t]) => {
      const scopes = [...document.querySelectorAll('[data-check], [data-testid]')]
        .filter((e) => e.getAttribute('data-check') === k || e.getAttribute('data-testid') === k);
      const hit = scopes.find((e) => e.innerText.includes(t));
      return hit ? hit.innerText.replace(/\s+/g, ' ').trim() : null;
    }, [key, text], () => `"${key}" does not show "${text}"`];
  },
  'expect-stale': () => [() => {
    const b = document.querySelector('[data-testid="stale"]');
    return document.body.classList.contains('stale') && b ? b.textContent : null;
  }, null, () => 'the stale banner is not shown'],
  'expect-fresh': () => [() => (document.body.classList.contains('stale') ? null : 'fresh'), null,
    () => 'the stale banner is still shown'],
  'expect-no-element': (arg) => [(css) => (document.querySelector(css) === null ? 'none' : null), arg,
    () => `an element matches ${arg}`],
  'expect-unset': (arg) => [(name) => (window[name] === undefined ? 'undefined' : null), arg,
    () => `window.${arg} is set`],
};

async function describe(page) {
  return page.evaluate(() => {
    const s = document.querySelector('[data-testid="state"]');
    return `state ${s ? s.textContent : '(none)'}, stale banner ${document.body.classList.contains('stale') ? 'shown' : 'hidden'}`;
  }).catch((e) => `page unavailable: ${e.message}`);
}

async function runStep(page, line, ctx) {
  try {
    await step(page, line.trim(), ctx);
  } catch (e) {
    e.step = line.trim();
    throw e;
  }
}

async function step(page, trimmed, ctx) {
  const sp = trimmed.indexOf(' ');
  const name = sp < 0 ? trimmed : trimmed.slice(0, sp);
  const arg = sp < 0 ? '' : trimmed.slice(sp + 1);
  const started = Date.now();
  if (name === 'timeout') {
    const ms = Number(arg);
    if (!(ms > 0)) throw new Error(`timeout needs a positive number of milliseconds, not "${arg}"`);
    ctx.timeout = ms;
    emit('step', { step: trimmed, ok: true, value: ms, elapsed_ms: 0 });
    return;
  }
  if (name === 'screenshot') {
    if (!arg) throw new Error('screenshot needs a path');
    await page.screenshot({ path: arg, fullPage: true });
    emit('step', { step: trimmed, ok: true, value: arg, elapsed_ms: Date.now() - started });
    return;
  }
  const condition = CONDITIONS[name];
  if (!condition) throw new Error(`unknown step "${name}"`);
  const [fn, fnArg, explain] = condition(arg);
  try {
    const handle = await page.waitForFunction(fn, fnArg, { timeout: ctx.timeout, polling: 50 });
    const value = await handle.jsonValue();
    emit('step', { step: trimmed, ok: true, value, elapsed_ms: Date.now() - started });
  } catch (e) {
    if (e.name !== 'TimeoutError') throw e;
    throw new Error(`${explain()} after ${ctx.timeout} ms (${await describe(page)})`);
  }
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (!existsSync(CHROMIUM)) usage(`${CHROMIUM} is missing: install Debian's package \`chromium\` (apt-get install chromium)`);
  const chromium = await loadPlaywright();
  const profile = mkdtempSync(join(tmpdir(), 'guardian-status-page-'));
  let browser;
  try {
    browser = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true,
      args: CHROMIUM_ARGS, viewport: { width: 1280, height: 900 } });
  } catch (e) {
    rmSync(profile, { recursive: true, force: true });
    usage(`chromium did not start (${e.message.split('\n')[0]})`);
  }
  let code = 0;
  const ctx = { timeout: opts.timeout };
  const page = browser.pages()[0] || await browser.newPage();
  try {
    page.on('console', (m) => { if (m.type() === 'error') emit('console', { type: 'error', text: m.text() }); });
    page.on('pageerror', (e) => emit('console', { type: 'pageerror', text: String(e) }));
    await page.exposeFunction('__statusObserved', (v) => emit('observed', v));
    await page.addInitScript(watchDisplay);
    await page.goto(opts.url, { waitUntil: 'domcontentloaded', timeout: ctx.timeout }).catch((e) => {
      const failure = new Error(`cannot open ${opts.url}: ${e.message.split('\n')[0]}`);
      failure.step = 'open';
      throw failure;
    });
    emit('loaded', { url: opts.url });
    for (const step of opts.steps) await runStep(page, step, ctx);
    if (opts.interactive) {
      for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
        if (line.trim() === '') continue;
        if (line.trim() === 'quit') break;
        await runStep(page, line, ctx);
      }
    }
  } catch (e) {
    code = 1;
    emit('step', { step: e.step ?? null, ok: false, message: e.message });
    process.stderr.write(`status-page: ${e.message}\n`);
  }
  if (opts.screenshot) {
    await page.screenshot({ path: opts.screenshot, fullPage: true }).then(
      () => emit('screenshot', { path: opts.screenshot }),
      (e) => process.stderr.write(`status-page: screenshot failed: ${e.message}\n`));
  }
  await browser.close().catch(() => {});
  rmSync(profile, { recursive: true, force: true });
  process.exitCode = code;
}

main();
