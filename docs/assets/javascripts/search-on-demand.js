// Material asks for the search index as soon as its bundle runs: 190 kB compressed for the Vietnamese
// pages, 824 kB of JSON that the main thread parses and copies to the search worker. On a slow phone
// that work lands while the reader is waiting for the lesson to respond (Lighthouse counted it as a
// 210-260 ms long task of the lesson's total blocking time), and most readers never search: the
// download is paid on every first visit from a small data plan.
//
// This script, loaded just before the bundle (overrides/main.html), holds that one request until the
// reader shows they want to search: touching, clicking or hovering the search button, focusing the
// search box (also what Material's keyboard shortcuts "/", "s" and "f" do), or opening a page with a
// search in its address (?q= opens the search, ?h= highlights the words a result was found for).
// Material shows "Đang khởi tạo tìm kiếm" meanwhile and runs the query typed so far when the index
// is ready, so search works as before, the first time a moment later.
(() => {
  const INDEX = /\/search\/search_index\.json$/;
  const waiting = [];
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    waiting.splice(0).forEach((go) => go());
  };
  const params = new URLSearchParams(location.search);
  if (params.has("q") || params.has("h")) release();
  const wantsSearch = (event) => event.target instanceof Element &&
    event.target.closest(".md-search, label[for='__search']") !== null;
  for (const type of ["pointerdown", "mouseover", "focusin"]) {
    addEventListener(type, (event) => { if (wantsSearch(event)) release(); }, { capture: true, passive: true });
  }
  addEventListener("change", (event) => {
    if (event.target instanceof HTMLInputElement && event.target.id === "__search" && event.target.checked) release();
  }, { capture: true, passive: true });
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
