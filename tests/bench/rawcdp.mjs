// The least a CDP client must do to measure one page load the way `worldspeed-probe measure` does: its own
// Chromium, a fresh browser context and target, attach (flatten), Network + Page, navigate, the load event, then
// 2 s with no request in flight ("fully loaded"), loadEventEnd from the page, Browser.close. bench_measure runs it
// as the baseline the probe is compared with.
//
//   node rawcdp.mjs [--chrome PATH] URL [-- CHROME_FLAGS...]
//
// Prints {"loadMs": N, "browserStartMs": N}. browserStartMs is spawn → first Browser.getVersion answer, the
// probe's definition. Without flags after `--` it uses the flags the build machine's notes ask for.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';

const quietMs = 2000;
const deadlineMs = 60000;

const argv = process.argv.slice(2);
const dashes = argv.indexOf('--');
const own = dashes < 0 ? argv : argv.slice(0, dashes);
let flags = dashes < 0 ? [] : argv.slice(dashes + 1);
let chrome = '/usr/bin/chromium';
if (own[0] === '--chrome') chrome = own.splice(0, 2)[1];
const url = own[0];
if (!url || own.length !== 1) {
    console.error('usage: node rawcdp.mjs [--chrome PATH] URL [-- CHROME_FLAGS...]');
    process.exit(2);
}
if (flags.length === 0) {
    flags = ['--headless=new', '--disable-gpu', '--no-first-run', '--disable-quic', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', ...(process.getuid?.() === 0 ? ['--no-sandbox'] : [])];
}

// Like the probe: profile, HOME and TMPDIR of Chrome's own in one folder that goes when Chrome has gone.
const root = mkdtempSync(join(tmpdir(), 'rawcdp-'));
for (const sub of ['profile', 'home', 'tmp', 'cache', 'config']) mkdirSync(join(root, sub));
const env = { ...process.env, HOME: join(root, 'home'), TMPDIR: join(root, 'tmp'),
    XDG_CONFIG_HOME: join(root, 'config'), XDG_CACHE_HOME: join(root, 'cache') };

const launchedAt = performance.now();
const browser = spawn(chrome, [...flags, `--user-data-dir=${join(root, 'profile')}`, '--remote-debugging-port=0',
    'about:blank'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
const exited = new Promise(resolve => browser.once('exit', resolve));

const fail = (error) => {
    console.error(`rawcdp: ${error.message ?? error}`);
    browser.kill('SIGKILL');
    exited.then(() => { rmSync(root, { recursive: true, force: true }); process.exit(1); });
};
setTimeout(() => fail(new Error(`no result within ${deadlineMs / 1000} s`)), deadlineMs).unref();

// Chrome announces its DevTools endpoint on stderr; keep draining it afterwards so it never blocks on a full pipe.
const endpoint = new Promise((resolve, reject) => {
    let text = '';
    browser.stderr.on('data', chunk => {
        if (text === null) return;
        text += chunk;
        const found = /DevTools listening on (ws:\/\/\S+)/.exec(text);
        if (found) { text = null; resolve(found[1]); }
    });
    browser.once('exit', code => reject(new Error(`Chromium exited during start-up (code ${code})`)));
});

try {
    const ws = new WebSocket(await endpoint, { perMessageDeflate: false, maxPayload: 256 * 1024 * 1024 });
    await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
    let closing = false;
    ws.on('error', () => {}); // a dropped socket is reported by 'close'
    ws.on('close', () => { if (!closing) fail(new Error('the DevTools connection closed')); });

    let nextId = 0;
    const replies = new Map();
    const listeners = new Set();
    ws.on('message', data => {
        const message = JSON.parse(data);
        if (message.id === undefined) { listeners.forEach(listener => listener(message)); return; }
        const reply = replies.get(message.id);
        replies.delete(message.id);
        if (message.error) reply.reject(new Error(`${reply.method}: ${message.error.message}`));
        else reply.resolve(message.result);
    });
    const send = (method, params = {}, sessionId = undefined) => new Promise((resolve, reject) => {
        replies.set(++nextId, { resolve, reject, method });
        ws.send(JSON.stringify({ id: nextId, method, params, ...(sessionId ? { sessionId } : {}) }));
    });

    await send('Browser.getVersion');
    const browserStartMs = performance.now() - launchedAt;

    const { browserContextId } = await send('Target.createBrowserContext', { disposeOnDetach: true });
    const { targetId } = await send('Target.createTarget', { url: 'about:blank', browserContextId });
    const { sessionId } = await send('Target.attachToTarget', { targetId, flatten: true });
    await Promise.all([send('Network.enable', {}, sessionId), send('Page.enable', {}, sessionId)]);

    // Fully loaded: after the load event, no request in flight for quietMs (a redirect keeps its id in flight).
    const fullyLoaded = new Promise(resolve => {
        const inFlight = new Set();
        let loaded = false;
        let quiet = null;
        listeners.add(({ method, params, sessionId: from }) => {
            if (from !== sessionId) return;
            if (method === 'Network.requestWillBeSent') inFlight.add(params.requestId);
            else if (method === 'Network.loadingFinished' || method === 'Network.loadingFailed') inFlight.delete(params.requestId);
            else if (method === 'Page.loadEventFired') loaded = true;
            else return;
            clearTimeout(quiet);
            if (loaded && inFlight.size === 0) quiet = setTimeout(resolve, quietMs);
        });
    });
    const navigation = await send('Page.navigate', { url }, sessionId);
    if (navigation.errorText) throw new Error(`${url}: ${navigation.errorText}`);
    await fullyLoaded;

    const { result } = await send('Runtime.evaluate', {
        expression: "performance.getEntriesByType('navigation')[0].loadEventEnd", returnByValue: true }, sessionId);
    closing = true;
    send('Browser.close').catch(() => {}); // Chrome may drop the socket before it answers
    await exited;
    rmSync(root, { recursive: true, force: true });
    console.log(JSON.stringify({ loadMs: result.value, browserStartMs }));
    process.exit(0);
} catch (error) {
    fail(error);
}
