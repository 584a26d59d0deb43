// Material asks for the search index (110-160 kB compressed) as soon as its bundle runs. On a slow
// phone that is before the lesson's first paint, and the download and its JSON parse (a long task on
// the main thread) stand in the way: Lighthouse's phone estimate for a lesson gave LCP 2.9-3.0 s with
// the request there, 2.0-2.3 s with it held (on a fast machine Chromium paints first anyway). This
// script, loaded just before the bundle (overrides/main.html), holds that one request until the page
// has painted, or the reader focuses the search box, or two seconds after load if the browser reports
// no paint timing. Search works as before, a moment later.
(() => {
  const INDEX = /\/search\/search_index\.json$/;
  const waiting = [];
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    waiting.splice(0).forEach((go) => go());
  };
  try {
    new PerformanceObserver((list) => {
      if (list.getEntriesByName("first-contentful-paint").length) setTimeout(release, 0);
    }).observe({ type: "paint", buffered: true });
  } catch (error) {
    // no paint timing: the fallbacks below
  }
  addEventListener("load", () => setTimeout(release, 2000));
  addEventListener("focusin", (event) => {
    if (event.target instanceof Element && event.target.matches(".md-search__input")) release();
  });
  const open = XMLHttpRequest.prototype.open;
  const send = XMLHttpRequest.prototype.send;
  XMLHttpRequest.prototype.open = function (method, url, ...rest) {
    this.knsHeld = INDEX.test(new URL(String(url), location.href).pathname);
    return open.call(this, method, url, ...rest);
  };
  XMLHttpRequest.prototype.send = function (...args) {
    if (!this.knsHeld || released) return send.apply(this, args);
    waiting.push(() => send.apply(this, args));
  };
})();
