// The live view's first script: a classic one, loaded before the others, that
// watches them load. The page is ES modules (app.js and what it imports) and
// Mermaid's bundle; if one of them fails to load, the browser runs none of
// the modules and the page would sit at "connecting…" for good. That happens:
// Chromium cancels every request under way when the machine's network
// changes (net::ERR_NETWORK_CHANGED), and Docker changes it each time it
// starts or stops a container (a veth interface comes or goes), so a page
// opened on a Docker host while a task starts can lose a module. The browser
// does not fetch a failed module again within the same page, so this loads the
// page again, a few times, later each time, saying so in the status badge;
// app.js tells it the page came up (window.cubeStarted) and the count starts
// over. Not a module itself, so it runs even when they cannot.
(() => {
  const KEY = 'cube.reloads';
  const MAX = 5;
  let reloading = false;
  const say = (/** @type {string} */ text) => {
    const badge = document.getElementById('status');
    if (!badge) return;
    badge.dataset['status'] = 'offline';
    const label = badge.querySelector('.text');
    if (label) label.textContent = text;
  };
  window.addEventListener(
    'error',
    (event) => {
      // Capture: a script that fails to load fires `error` at its element, which does not bubble.
      const script = event.target;
      if (!(script instanceof HTMLScriptElement) || reloading) return;
      reloading = true;
      const tries = Number(sessionStorage.getItem(KEY) || 0);
      const what = `the page's script ${new URL(script.src, location.href).pathname} did not load`;
      if (tries >= MAX) {
        say(`${what} after ${MAX} tries; reload the page`);
        return;
      }
      sessionStorage.setItem(KEY, String(tries + 1));
      const seconds = 2 ** tries;
      say(`${what}; loading the page again in ${seconds} s`);
      setTimeout(() => location.reload(), seconds * 1000);
    },
    true,
  );
  /** @type {Window & typeof globalThis & { cubeStarted?: () => void }} */ (window).cubeStarted = () => sessionStorage.removeItem(KEY);
})();
