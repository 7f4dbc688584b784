// Drives a real Chromium (playwright-core, Debian's /usr/bin/chromium) over the
// archive's static site, opened from file://, and writes what it saw as one JSON
// document, PLAN.report.  It asserts nothing itself: tests/e2e/test_browser.py
// writes the plan (which pages, which word to search) from the archive's files,
// runs this script, and checks what it reports against the same files.
//
//   node drive_site.mjs PLAN.json
//
// PLAN: { root, chromium, artifacts, report, deadline_seconds, grid: "index.html",
//         photo: "site/photo/ID.html", albums: [paths], videos: [paths], search_word,
//         tag (one of the photo's), phone_pages: [paths] }  (paths relative to root, a query allowed)
// Screenshots (desktop and phone, full page) go to PLAN.artifacts.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const DESKTOP = { viewport: { width: 1280, height: 900 } };
const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, isMobile: true,
  hasTouch: true };

const plan = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const report = { pages: {}, offsite: [], failed: [], console_errors: [], page_errors: [],
  screenshots: [] };
let lastStep = 'start';

function writeReport() {
  fs.writeFileSync(plan.report, JSON.stringify(report, null, 1) + '\n');
}

/* A hung page must not hang the test: past the deadline, report what was seen and
 * where it stopped (leaving, node's exit closes the browser it launched). */
setTimeout(() => {
  report.fatal = `timed out after ${plan.deadline_seconds} s, during: ${lastStep}`;
  writeReport();
  process.exit(2);
}, plan.deadline_seconds * 1000).unref();

/* file:// URL of a page of the archive, "site/search.html?q=word" included. */
function fileUrl(rel) {
  const [file, query] = rel.split('?');
  return pathToFileURL(path.join(plan.root, file)).href + (query ? `?${query}` : '');
}

function relative(url) {
  const root = pathToFileURL(plan.root).href + '/';
  return url.startsWith(root) ? url.slice(root.length) : url;
}

/* Every page of a context reports what leaves file://, what fails to load, and errors. */
function watch(context, label) {
  context.on('request', (r) => {
    if (!/^(file|data|blob|about):/.test(r.url())) report.offsite.push([label, r.url()]);
  });
  context.on('requestfailed', (r) => {
    const why = r.failure() && r.failure().errorText;
    // ERR_ABORTED: cancelled by leaving the page (a favicon still loading); a file
    // that is missing fails with ERR_FILE_NOT_FOUND
    if (why !== 'net::ERR_ABORTED') report.failed.push([label, relative(r.url()), why]);
  });
  context.on('page', (page) => {
    page.on('console', (m) => {
      if (m.type() === 'error') report.console_errors.push([label, relative(page.url()), m.text()]);
    });
    page.on('pageerror', (e) => report.page_errors.push([label, relative(page.url()), String(e)]));
  });
}

function step(what) {
  lastStep = what;
  process.stderr.write(`drive_site: ${(performance.now() / 1000).toFixed(1)}s ${what}\n`);
}

async function open(page, rel) {
  step(`open ${rel}`);
  await page.goto(fileUrl(rel), { waitUntil: 'load' });
}

/* Lazy images load once near the viewport: scroll down the page a screen at a
 * time, then wait (a while at most) for every image to finish. */
async function loadImages(page) {
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  const screen = await page.evaluate(() => window.innerHeight);
  for (let y = 0; y < height; y += screen) {
    await page.evaluate((top) => window.scrollTo(0, top), y);
    await page.waitForTimeout(50);
  }
  await imagesDone(page);
  await page.evaluate(() => window.scrollTo(0, 0));
}

function imagesDone(page) {
  return page.waitForFunction(() => Array.from(document.images).every((i) => i.complete),
    null, { timeout: 15000 }).catch(() => {});
}

/* Every image loaded without scrolling (long pages scroll slowly in a software-
 * rendered phone): the lazy ones made eager. */
async function loadImagesAtOnce(page) {
  await page.evaluate(() => document.querySelectorAll('img[loading="lazy"]')
    .forEach((i) => { i.loading = 'eager'; }));
  await imagesDone(page);
}

async function shot(page, name) {
  fs.mkdirSync(plan.artifacts, { recursive: true });
  const file = path.join(plan.artifacts, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  report.screenshots.push(file);
}

function shotName(prefix, rel) {
  return `${prefix}-${rel.replace(/\.html$/, '').replace(/[^A-Za-z0-9]+/g, '-')}`;
}

/* Images of the page: the src as written, where it resolved, and whether it decoded. */
function images(page, selector) {
  return page.$$eval(selector, (els) => els.map((i) => ({
    src: i.getAttribute('src'), url: i.currentSrc || i.src, complete: i.complete,
    natural_width: i.naturalWidth })));
}

async function grid(page, rel) {
  await open(page, rel);
  await loadImages(page);
  return {
    title: await page.title(),
    items: await page.$$eval('ul.grid > li[data-id]', (lis) => lis.map((li) => {
      const img = li.querySelector('img');
      return { kind: li.dataset.kind, id: li.dataset.id,
        href: li.querySelector('a') && li.querySelector('a').getAttribute('href'),
        thumb: img && { src: img.getAttribute('src'), natural_width: img.naturalWidth } };
    })),
  };
}

async function photoPage(page, rel) {
  await open(page, rel);
  await loadImages(page);
  return page.evaluate(() => {
    const text = (el) => (el ? el.innerText.replace(/\s+/g, ' ').trim() : null);
    const q = (s) => document.querySelector(s);
    const all = (s) => Array.from(document.querySelectorAll(s));
    const person = (li) => {
      const img = li.querySelector('img.avatar');
      return { name: text(li.querySelector('.person-name')),
        avatar: img && { src: img.getAttribute('src'), natural_width: img.naturalWidth } };
    };
    const media = q('#photo-image');
    return {
      title: document.title,
      h1: text(q('h1')),
      image: media && { src: media.getAttribute('src'), natural_width: media.naturalWidth },
      comments: all('li.comment').map((li) => ({
        id: li.id, author: li.dataset.author, text: text(li.querySelector('.comment-text')),
        datetime: li.querySelector('time') && li.querySelector('time').getAttribute('datetime'),
        date: text(li.querySelector('.comment-date')), ...person(li) })),
      faves: all('li.fave').map((li) => ({ nsid: li.dataset.nsid, ...person(li) })),
      tags: all('a.tag').map((a) => a.dataset.tag),
      albums: all('a[data-album-id]').map((a) => ({
        id: a.dataset.albumId, text: text(a), href: a.getAttribute('href') })),
      place: text(q('#place-name')),
      osm: q('#osm-link') && q('#osm-link').getAttribute('href'),
      exif: Object.fromEntries(all('dd[data-exif]').map((dd) => [dd.dataset.exif, text(dd)])),
    };
  });
}

async function where(page) {
  return page.evaluate(() => ({ url: location.href, title: document.title,
    id: document.body.dataset.id || null, h1: document.querySelector('h1')
      && document.querySelector('h1').innerText.trim() }));
}

/* The arrow keys on a photo page: right to the older photo, left back; not while typing. */
async function keyboard(page, rel) {
  await open(page, rel);
  const start = await where(page);
  await Promise.all([page.waitForURL((u) => u.href !== start.url, { timeout: 10000 }),
    page.keyboard.press('ArrowRight')]);
  const right = await where(page);
  await Promise.all([page.waitForURL((u) => u.href !== right.url, { timeout: 10000 }),
    page.keyboard.press('ArrowLeft')]);
  const left = await where(page);
  await page.focus('#site-search');
  await page.keyboard.press('ArrowRight');
  await page.waitForTimeout(300);
  const typing = await where(page);
  return { start, right, left, typing };
}

/* The results once the search page shows those of QUERY: it searches as you type,
 * 120 ms after the last key, so a slow machine shows a prefix's results first. */
async function searchResults(page, query) {
  await page.waitForFunction((q) => {
    const status = document.getElementById('search-status').textContent;
    return /\bfor\b/.test(status) && status.includes(`\u201c${q}\u201d`);
  }, query, { timeout: 10000 });
  return page.evaluate(() => ({
    url: location.href,
    status: document.getElementById('search-status').textContent,
    results: Array.from(document.querySelectorAll('#search-results li')).map((li) => ({
      kind: li.dataset.kind, id: li.dataset.id, match: li.dataset.match,
      href: li.querySelector('a').getAttribute('href'),
      where: (li.querySelector('.result-where') || {}).textContent || null })),
  }));
}

/* The search box of the photostream's header, then the search page's own box typed
 * into (it searches as you type), then the first result followed. */
async function search(page, word) {
  await open(page, plan.grid);
  await page.fill('#site-search', word);
  await Promise.all([page.waitForURL(/search\.html/, { timeout: 10000 }),
    page.press('#site-search', 'Enter')]);
  const submitted = await searchResults(page, word);
  await shot(page, 'desktop-search');
  await page.fill('#search-input', '');
  await page.waitForFunction(() => !/\bfor\b/.test(document.getElementById('search-status')
    .textContent), null, { timeout: 10000 });
  await page.type('#search-input', word.toUpperCase(), { delay: 20 });
  const typed = await searchResults(page, word.toUpperCase());
  let opened = null;
  const first = await page.$('#search-results li a');
  if (first) {
    await Promise.all([page.waitForURL((u) => !/search\.html/.test(u.href), { timeout: 10000 }),
      first.click()]);
    opened = await where(page);
    opened.comments = await page.$eval('#comments', (el) => el.innerText.replace(/\s+/g, ' '))
      .catch(() => null);
  }
  return { submitted, typed, opened };
}

/* A tag on the photo page, followed: the search page lists what has that tag. */
async function tag(page, rel, name) {
  await open(page, rel);
  const link = await page.$(`a.tag[data-tag="${name}"]`);
  if (!link) return null;
  await Promise.all([page.waitForURL(/search\.html\?tag=/, { timeout: 10000 }), link.click()]);
  return searchResults(page, name);
}

/* A video page: the <video>'s source, then whether it decodes and plays (muted). */
async function video(page, rel) {
  await open(page, rel);
  const state = () => page.$eval('video', (v) => ({
    src: v.querySelector('source') && v.querySelector('source').getAttribute('src'),
    type: v.querySelector('source') && v.querySelector('source').getAttribute('type'),
    current_src: v.currentSrc, ready_state: v.readyState, network_state: v.networkState,
    error: v.error && v.error.code, duration: Number.isFinite(v.duration) ? v.duration : null,
    video_width: v.videoWidth, video_height: v.videoHeight, current_time: v.currentTime,
    width: Number(v.getAttribute('width')), height: Number(v.getAttribute('height')),
    poster: v.getAttribute('poster') }));
  await page.waitForFunction(() => {
    const v = document.querySelector('video');
    return v && (v.readyState >= 1 || v.error || v.networkState === 3);
  }, null, { timeout: 10000 }).catch(() => {});
  const loaded = await state();
  // play() stays pending for good when no source can be played: give it 5 s
  const played = await page.$eval('video', (v) => {
    v.muted = true;
    const started = v.play().then(() => new Promise((resolve) => {
      const t0 = Date.now();
      (function wait() {
        if (v.currentTime > 0.2 || Date.now() - t0 > 5000) resolve(true);
        else setTimeout(wait, 50);
      })();
    }), (e) => String(e));
    const late = new Promise((resolve) => setTimeout(() => resolve('play() did not start in 5 s'), 5000));
    return Promise.race([started, late]);
  });
  const after = await state();
  await page.$eval('video', (v) => v.pause());
  return { loaded, played, after };
}

/* Horizontal scrolling on a phone: the document wider than the viewport, and the
 * elements that stick out (for the report); and the images that did not load. */
async function overflow(page, rel) {
  await open(page, rel);
  await loadImagesAtOnce(page);
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const wide = [];
    for (const el of document.body.querySelectorAll('*')) {
      const r = el.getBoundingClientRect();
      if (r.right > width + 1 && wide.length < 10) {
        wide.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${el.className ? '.'
          + String(el.className).replace(/\s+/g, '.') : ''} right=${Math.round(r.right)}`);
      }
    }
    const broken = Array.from(document.images).filter((i) => !i.complete || !i.naturalWidth)
      .map((i) => i.getAttribute('src'));
    return { viewport: width, scroll_width: document.documentElement.scrollWidth,
      body_scroll_width: document.body.scrollWidth, wide, images: document.images.length,
      broken };
  });
}

async function main() {
  const browser = await chromium.launch({ executablePath: plan.chromium, headless: true,
    args: CHROMIUM_ARGS, timeout: 60000 });
  try {
    const desktop = await browser.newContext(DESKTOP);
    watch(desktop, 'desktop');
    const page = await desktop.newPage();
    page.setDefaultTimeout(20000);

    report.pages.grid = await grid(page, plan.grid);
    await shot(page, shotName('desktop', plan.grid));
    report.pages.photo = await photoPage(page, plan.photo);
    await shot(page, shotName('desktop', plan.photo));
    report.pages.albums = {};
    for (const rel of plan.albums) {
      report.pages.albums[rel] = await grid(page, rel);
      await shot(page, shotName('desktop', rel));
    }
    report.pages.keyboard = await keyboard(page, plan.photo);
    report.pages.search = await search(page, plan.search_word);
    report.pages.tag = await tag(page, plan.photo, plan.tag);
    report.pages.videos = {};
    for (const rel of plan.videos) {
      report.pages.videos[rel] = await video(page, rel);
      await shot(page, shotName('desktop', rel));
    }

    const phone = await browser.newContext(PHONE);
    watch(phone, 'phone');
    const small = await phone.newPage();
    small.setDefaultTimeout(20000);
    report.pages.phone = {};
    for (const rel of plan.phone_pages) {
      report.pages.phone[rel] = await overflow(small, rel);
      await shot(small, shotName('phone', rel));
    }
  } finally {
    await browser.close();
  }
}

main().then(writeReport, (e) => {
  report.fatal = `${lastStep}: ${e && e.stack || e}`;
  writeReport();
  process.exitCode = 1;
});
