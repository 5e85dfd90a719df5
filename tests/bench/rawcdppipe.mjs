// The least a CDP client must do to get a page's load time, with nothing but Node.js: Chromium driven over
// --remote-debugging-pipe (NUL-terminated JSON on descriptors 3 and 4, as the probe drives it), a fresh browser
// context and target per load, attach (flatten), Network + Page, navigate, the load event, loadEventEnd from the
// page. bench_firstload runs it as the baseline the probe's first result is compared with.
//
//   node rawcdppipe.mjs --warm  [--chrome PATH] [-- CHROME_FLAGS...]   one browser; a URL per stdin line, a JSON line
//                                                                     per load: {"navigateToLoadMs", "setupMs",
//                                                                     "loadMs"}; "ready" once the browser answers
//   node rawcdppipe.mjs --cold URL [--chrome PATH] [-- CHROME_FLAGS...] launch, load once, close: {"browserStartMs",
//                                                                     "launchToLoadMs", "loadMs"}
//
// navigateToLoadMs: Page.navigate sent → Page.loadEventFired received. setupMs: the context, target, attach and
// domains before it. Times are this process's own clock (performance.now()).
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';

const processStartedAt = performance.now();
const argv = process.argv.slice(2);
const dashes = argv.indexOf('--');
const own = dashes < 0 ? argv : argv.slice(0, dashes);
let flags = dashes < 0 ? [] : argv.slice(dashes + 1);
let chrome = '/usr/bin/chromium';
const chromeAt = own.indexOf('--chrome');
if (chromeAt >= 0) chrome = own.splice(chromeAt, 2)[1];
const mode = own[0];
const coldUrl = own[1];
if (!(mode === '--warm' && own.length === 1) && !(mode === '--cold' && own.length === 2)) {
    console.error('usage: node rawcdppipe.mjs --warm | --cold URL [--chrome PATH] [-- CHROME_FLAGS...]');
    process.exit(2);
}
if (flags.length === 0) {
    flags = ['--headless=new', '--disable-gpu', '--no-first-run', '--disable-quic', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', ...(process.getuid?.() === 0 ? ['--no-sandbox'] : [])];
}

const root = mkdtempSync(join(tmpdir(), 'rawcdppipe-'));
for (const sub of ['profile', 'home', 'tmp', 'cache', 'config']) mkdirSync(join(root, sub));
const env = { ...process.env, HOME: join(root, 'home'), TMPDIR: join(root, 'tmp'),
    XDG_CONFIG_HOME: join(root, 'config'), XDG_CACHE_HOME: join(root, 'cache') };

const launchedAt = performance.now();
const browser = spawn(chrome, [...flags, `--user-data-dir=${join(root, 'profile')}`, '--remote-debugging-pipe',
    'about:blank'], { env, stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'] });
const exited = new Promise(resolve => browser.once('exit', resolve));
const toBrowser = browser.stdio[3];
const fromBrowser = browser.stdio[4];

let finishing = false;
const finish = async (code) => {
    finishing = true;
    browser.kill('SIGKILL');
    await exited;
    rmSync(root, { recursive: true, force: true });
    process.exit(code);
};
const fail = (error) => { console.error(`rawcdppipe: ${error.message ?? error}`); finish(1); };
browser.once('exit', () => { if (!finishing) fail(new Error('Chromium exited')); });

let nextId = 0;
const replies = new Map();
const listeners = new Set();
let pending = Buffer.alloc(0);
fromBrowser.on('data', chunk => {
    pending = Buffer.concat([pending, chunk]);
    for (let end = pending.indexOf(0); end >= 0; end = pending.indexOf(0)) {
        const message = JSON.parse(pending.subarray(0, end).toString('utf8'));
        pending = pending.subarray(end + 1);
        if (message.id === undefined) { listeners.forEach(listener => listener(message)); continue; }
        const reply = replies.get(message.id);
        replies.delete(message.id);
        if (message.error) reply.reject(new Error(`${reply.method}: ${message.error.message}`));
        else reply.resolve(message.result);
    }
});
const send = (method, params = {}, sessionId = undefined) => new Promise((resolve, reject) => {
    replies.set(++nextId, { resolve, reject, method });
    toBrowser.write(JSON.stringify({ id: nextId, method, params, ...(sessionId ? { sessionId } : {}) }) + '\0');
});

async function load(url) {
    const setupStart = performance.now();
    const { browserContextId } = await send('Target.createBrowserContext', { disposeOnDetach: true });
    const { targetId } = await send('Target.createTarget', { url: 'about:blank', browserContextId });
    const { sessionId } = await send('Target.attachToTarget', { targetId, flatten: true });
    await Promise.all([send('Network.enable', {}, sessionId), send('Page.enable', {}, sessionId)]);
    const loaded = new Promise(resolve => {
        const listener = ({ method, sessionId: from }) => {
            if (from === sessionId && method === 'Page.loadEventFired') { listeners.delete(listener); resolve(); }
        };
        listeners.add(listener);
    });
    const navigateAt = performance.now();
    const navigation = await send('Page.navigate', { url }, sessionId);
    if (navigation.errorText) throw new Error(`${url}: ${navigation.errorText}`);
    await loaded;
    const loadedAt = performance.now();
    const { result } = await send('Runtime.evaluate', {
        expression: "performance.getEntriesByType('navigation')[0].loadEventEnd", returnByValue: true }, sessionId);
    await send('Target.disposeBrowserContext', { browserContextId });
    return { navigateToLoadMs: loadedAt - navigateAt, setupMs: navigateAt - setupStart, loadMs: result.value,
        loadedAt };
}

try {
    await send('Browser.getVersion');
    const browserStartMs = performance.now() - launchedAt;
    if (mode === '--cold') {
        const { navigateToLoadMs, setupMs, loadMs, loadedAt } = await load(coldUrl);
        console.log(JSON.stringify({ browserStartMs, setupMs, navigateToLoadMs, loadMs,
            launchToLoadMs: loadedAt - launchedAt, processToLoadMs: loadedAt - processStartedAt }));
        await finish(0);
    }
    console.log('ready');
    for await (const line of createInterface({ input: process.stdin })) {
        if (!line.trim()) continue;
        const { navigateToLoadMs, setupMs, loadMs } = await load(line.trim());
        console.log(JSON.stringify({ navigateToLoadMs, setupMs, loadMs }));
    }
    await finish(0);
} catch (error) {
    fail(error);
}
