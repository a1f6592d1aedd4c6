// Drives Debian's chromium (headless, through playwright-core) on the edge's chat test page
// (src/test/resources/edge/chat.html) and prints its progress as JSON lines with `t` (ms since start), so a JUnit
// test can run it and read it:
//   node edge-browser.mjs --page '<page URL with ?ws=...>' --screenshot out.png [--timeout 120000] STEP...
// Steps, run in order:
//   open:N            at least N opens so far
//   send:TEXT         send TEXT through the page's form
//   message:TEXT      a message equal to TEXT received so far
//   close:CODE[:N]    at least N (default 1) closes with CODE so far
//   stay-open:MS      the connection stays open for MS milliseconds (any close fails the step)
//   wait:MS           wait MS milliseconds
// Lines: {"source":"page","event":...} for each thing the page reports (open, message, close, sent),
// {"event":"step","step":...,"ok":true}, and at the end {"event":"done"} (exit 0) or {"event":"failed",...} (exit 1).
// The screenshot is taken in both cases.
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const started = Date.now();
const emit = (o) => process.stdout.write(JSON.stringify({ t: Date.now() - started, ...o }) + '\n');

function parseArgs(argv) {
  const out = { steps: [], timeout: 120000 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--page') out.page = argv[++i];
    else if (a === '--screenshot') out.screenshot = argv[++i];
    else if (a === '--timeout') out.timeout = Number(argv[++i]);
    else out.steps.push(a);
  }
  if (!out.page || !out.screenshot) {
    throw new Error('usage: edge-browser.mjs --page URL --screenshot FILE [--timeout MS] STEP...');
  }
  return out;
}

const args = parseArgs(process.argv.slice(2));
const seen = { opens: 0, messages: [], closes: [] };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function until(condition, timeout, what) {
  const deadline = Date.now() + timeout;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for ' + what);
    await sleep(50);
  }
}

async function run(page, step) {
  const [kind, ...rest] = step.split(':');
  const arg = rest.join(':');
  switch (kind) {
    case 'open': {
      const n = Number(arg || 1);
      await until(() => seen.opens >= n, args.timeout, n + ' opens');
      break;
    }
    case 'send':
      await page.fill('#text', arg);
      await page.click('#send button');
      break;
    case 'message':
      await until(() => seen.messages.includes(arg), args.timeout, 'message ' + arg);
      break;
    case 'close': {
      const [code, count] = arg.split(':');
      const n = Number(count || 1);
      await until(() => seen.closes.filter((c) => c === Number(code)).length >= n, args.timeout,
        n + ' closes with ' + code);
      break;
    }
    case 'stay-open': {
      const closesBefore = seen.closes.length;
      const until = Date.now() + Number(arg);
      while (Date.now() < until) {
        if (seen.closes.length > closesBefore) throw new Error('closed with ' + seen.closes.at(-1) + ' while it had to stay open');
        await sleep(50);
      }
      break;
    }
    case 'wait':
      await sleep(Number(arg));
      break;
    default:
      throw new Error('unknown step ' + step);
  }
}

const profile = mkdtempSync(path.join(tmpdir(), 'guardian-chromium-'));
let context;
let code = 0;
try {
  context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--no-first-run'],
  });
  const page = context.pages()[0] || await context.newPage();
  await page.exposeFunction('__report', (json) => {
    const e = JSON.parse(json);
    if (e.event === 'open') seen.opens += 1;
    if (e.event === 'message') seen.messages.push(e.data);
    if (e.event === 'close') seen.closes.push(e.code);
    emit({ source: 'page', ...e });
  });
  page.on('pageerror', (e) => emit({ event: 'page-error', message: e.message }));
  await page.goto(args.page);
  emit({ event: 'loaded' });
  let failed = null;
  for (const step of args.steps) {
    try {
      await run(page, step);
      emit({ event: 'step', step, ok: true });
    } catch (e) {
      failed = { step, reason: e.message };
      break;
    }
  }
  await page.screenshot({ path: args.screenshot, fullPage: true });
  if (failed) {
    emit({ event: 'failed', ...failed });
    code = 1;
  } else {
    emit({ event: 'done' });
  }
} catch (e) {
  emit({ event: 'failed', step: null, reason: e.message });
  code = 1;
} finally {
  if (context) await context.close();
  rmSync(profile, { recursive: true, force: true });
}
process.exit(code);
