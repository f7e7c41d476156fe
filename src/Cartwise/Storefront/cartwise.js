/* Cartwise storefront script: tracking, the GTM dataLayer, consent and the recommendation widgets.
   <script async src="https://CARTWISE/sdk/cartwise.js" data-key="TRACKING_KEY"></script>
   Calls before it loads: window.cartwise = window.cartwise || []; cartwise.push(['track', 'view_item', {...}]). */
(function (w, d) {
  'use strict';
  var me = d.currentScript || d.querySelector('script[data-key][src*="cartwise.js"]');
  if (!me || w.__cartwiseLoaded) return;
  w.__cartwiseLoaded = true;
  var base = me.src.replace(/\/sdk\/cartwise\.js.*$/, '');
  var key = me.getAttribute('data-key');
  var consentRequired = me.getAttribute('data-consent') === 'required';
  var debug = /[?&]cartwise_debug=1/.test(location.search);
  var COOKIE = '_cw_id', DAY = 864e5;
  var queue = [], timer = null, retry = 0, cart = [], addToCart = null;
  var consent = { analytics: !consentRequired, email_marketing: null };
  var visit = {};
  // The GA4 events Cartwise takes; other dataLayer pushes (add_payment_info, search…) are left to GA4.
  var known = { page_view: 1, view_item: 1, view_item_list: 1, select_item: 1, add_to_cart: 1, remove_from_cart: 1, view_cart: 1,
    begin_checkout: 1, purchase: 1, refund: 1 };

  function log() { if (debug && w.console) console.log.apply(console, ['[cartwise]'].concat([].slice.call(arguments))); }
  function safe(fn) { return function () { try { return fn.apply(this, arguments); } catch (e) { log('error', e); } }; }
  function uid() {
    var c = w.crypto;
    if (c && c.randomUUID) return c.randomUUID();
    return 'xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx'.replace(/[xy]/g, function (x) { var r = Math.random() * 16 | 0; return (x === 'x' ? r : r & 3 | 8).toString(16); });
  }
  function readCookie() { var m = d.cookie.match(/(?:^|; )_cw_id=([^;]+)/); return m ? decodeURIComponent(m[1]) : null; }
  function anonymousId() {
    if (!consent.analytics) return null;
    var id = readCookie();
    try { id = id || localStorage.getItem(COOKIE); } catch (e) { /* storage off */ }
    id = id || uid();
    d.cookie = COOKIE + '=' + encodeURIComponent(id) + '; Max-Age=' + 400 * 86400 + '; Path=/; SameSite=Lax' + (location.protocol === 'https:' ? '; Secure' : '');
    try { localStorage.setItem(COOKIE, id); } catch (e) { /* storage off */ }
    return id;
  }
  (function landing() {
    var q = new URLSearchParams(location.search);
    ['utm_source', 'utm_medium', 'utm_campaign', 'utm_term', 'utm_content'].forEach(function (k) { if (q.get(k)) visit[k] = q.get(k); });
    if (d.referrer && d.referrer.indexOf(location.origin) !== 0) visit.page_referrer = d.referrer;
  })();

  function send(beacon) {
    clearTimeout(timer); timer = null;
    if (!queue.length || !consent.analytics) return;
    var id = anonymousId(), batch = queue.splice(0, 20);
    batch.forEach(function (e) { e.anonymous_id = e.anonymous_id || id; });
    var body = JSON.stringify({ events: batch }), url = base + '/api/v1/track?key=' + encodeURIComponent(key);
    log('send', batch);
    if (beacon && navigator.sendBeacon && navigator.sendBeacon(url, body)) { if (queue.length) send(true); return; }
    fetch(url, { method: 'POST', body: body, keepalive: body.length < 60000, headers: { 'Content-Type': 'text/plain' }, credentials: 'omit' })
      .then(function (r) { if (r.status >= 500 || r.status === 429) throw new Error('status ' + r.status); retry = 0; if (queue.length) schedule(); })
      .catch(function (e) {
        log('retry', e);
        queue = batch.concat(queue); retry = Math.min(retry + 1, 6);
        timer = setTimeout(send, 1000 * Math.pow(2, retry));
      });
  }
  function schedule() { if (queue.length >= 20) send(); else if (!timer) timer = setTimeout(send, 2000); }

  function track(name, params) {
    if (!known[name]) { log('not a Cartwise event', name); return; }
    var e = {}, p = params || {};
    for (var k in p) if (Object.prototype.hasOwnProperty.call(p, k)) e[k] = p[k];
    // No timestamp: the server's clock dates the event (a visitor's clock may be off by hours).
    e.name = name; e.event_id = e.event_id || uid();
    e.language = e.language || navigator.language; e.page_location = e.page_location || location.href;
    for (var v in visit) if (!(v in e)) e[v] = visit[v];
    queue.push(e); schedule();
    if (name === 'add_to_cart' || name === 'remove_from_cart' || name === 'view_cart' || name === 'begin_checkout') cartFrom(name, e.items);
    if (name === 'purchase') { cart = []; widgets(); }
  }
  // The cart as the shop's events describe it: lines of item id, price and quantity (the free-shipping bar needs its value).
  function line(i) { return { item_id: String(i.item_id || i), price: +i.price || 0, quantity: +i.quantity || 1 }; }
  function cartFrom(name, items) {
    if (!items || !items.length) return;
    if (name === 'add_to_cart') items.forEach(function (i) {
      var l = line(i), have = cart.filter(function (c) { return c.item_id === l.item_id; })[0];
      if (have) have.quantity += l.quantity; else cart.push(l);
    });
    else if (name === 'remove_from_cart') items.forEach(function (i) {
      var l = line(i);
      cart = cart.filter(function (c) { if (c.item_id !== l.item_id) return true; c.quantity -= i.quantity ? l.quantity : c.quantity; return c.quantity > 0; });
    });
    else cart = items.map(line);
    widgets();
  }

  var api = {
    track: track,
    page: function (p) { track('page_view', p); },
    identify: function (who) { track('page_view', who || {}); },
    consent: function (c) {
      var before = consent.analytics;
      if (c && 'analytics' in c) consent.analytics = !!c.analytics;
      if (c && 'email_marketing' in c) consent.email_marketing = c.email_marketing;
      if (!consent.analytics) { queue = []; d.cookie = COOKIE + '=; Max-Age=0; Path=/'; try { localStorage.removeItem(COOKIE); } catch (e) { /* off */ } }
      if (c && c.email_marketing !== undefined && c.email_marketing !== null) track('page_view', { consent: !!c.email_marketing });
      if (consent.analytics && !before) schedule();
    },
    cart: function (items) { cart = (items || []).map(line); widgets(); },
    onAddToCart: function (fn) { addToCart = fn; },
    flush: function () { send(false); }
  };
  function call(args) { var f = api[args[0]]; if (f) safe(f).apply(null, [].slice.call(args, 1)); else log('unknown call', args[0]); }

  // The GTM dataLayer: GA4 e-commerce pushes, the ones made before this script and every later one, each once.
  function fromLayer(item) {
    if (!item || typeof item !== 'object' || !item.event || !known[item.event] || item.__cartwise) return;
    item.__cartwise = 1;
    var p = {}, e = item.ecommerce || {};
    for (var k in e) p[k] = e[k];
    ['customer_id', 'email', 'phone', 'user_id', 'consent', 'customer_token'].forEach(function (f) { if (item[f] !== undefined && p[f] === undefined) p[f] = item[f]; });
    track(item.event, p);
  }
  var layer = w.dataLayer = w.dataLayer || [];
  layer.forEach(safe(fromLayer));
  var push = layer.push;
  layer.push = function () { var r = push.apply(layer, arguments); [].forEach.call(arguments, safe(fromLayer)); return r; };

  // Widgets: the recommendations API renders the HTML; this asks for it, reserves its room, counts impressions and
  // clicks (select_item, with the strategy that picked the item) and hands "add to cart" to the shop's callback.
  var kinds = { cart: 1, product: 1, upsell: 1, bundle: 1, 'recently-viewed': 1, bestsellers: 1, 'free-shipping': 1 };
  var style = d.createElement('style');
  style.textContent = '[data-cartwise-widget]{min-height:var(--cw-reserved-height,360px)}[data-cartwise-widget][data-cw-empty]{min-height:0}';
  (d.head || d.documentElement).appendChild(style);
  function attr(el, name) { return el.getAttribute(name) || ''; }
  function widgets() {
    [].forEach.call(d.querySelectorAll('[data-cartwise-widget]'), safe(function (el) {
      var kind = attr(el, 'data-cartwise-widget');
      if (!kinds[kind]) return;
      var q = 'widget=' + kind + '&limit=' + (attr(el, 'data-limit') || 4) + '&lang=' + encodeURIComponent(navigator.language || '') + '&key=' + encodeURIComponent(key);
      if (kind === 'cart' || kind === 'free-shipping') {
        if (!cart.length && kind === 'cart') { el.setAttribute('data-cw-empty', ''); el.innerHTML = ''; el.__cwQuery = ''; return; }
        var value = cart.reduce(function (s, c) { return s + c.price * c.quantity; }, 0);
        q += '&cart=' + encodeURIComponent(cart.map(function (c) { return c.item_id; }).join(',')) + (value ? '&cart_value=' + value.toFixed(2) : '');
        if (attr(el, 'data-threshold')) q += '&threshold=' + encodeURIComponent(attr(el, 'data-threshold'));
      } else if (attr(el, 'data-product')) q += '&product=' + encodeURIComponent(attr(el, 'data-product'));
      var id = anonymousId(); if (id && kind === 'recently-viewed') q += '&anonymous_id=' + encodeURIComponent(id);
      if (attr(el, 'data-title')) q += '&title=' + encodeURIComponent(attr(el, 'data-title'));
      if (el.__cwQuery === q) return;
      el.__cwQuery = q;
      fetch(base + '/api/v1/recommendations/widget?' + q, { credentials: 'omit' }).then(function (r) { return r.ok ? r.text() : ''; }).then(function (html) {
        if (el.__cwQuery !== q) return;
        el.innerHTML = html;
        var shown = el.querySelectorAll('.cw-item[data-id]:not(.cw-current)');
        if (shown.length) el.removeAttribute('data-cw-empty'); else el.setAttribute('data-cw-empty', '');
        // One impression per strategy shown (the free-shipping bar mixes cart rules and bestsellers).
        var by = {};
        [].forEach.call(shown, function (li) { var s = attr(li, 'data-strategy'); (by[s] = by[s] || []).push(item(li)); });
        for (var s in by) track('view_item_list', { item_list_id: 'cartwise_' + kind, item_list_name: s, items: by[s] });
      }).catch(function (e) { log('widget', e); });
    }));
  }
  function item(li) {
    var i = { item_id: attr(li, 'data-id'), item_name: attr(li, 'data-name'), quantity: 1 };
    if (attr(li, 'data-price')) i.price = +attr(li, 'data-price');
    if (attr(li, 'data-currency')) i.currency = attr(li, 'data-currency');
    return i;
  }
  d.addEventListener('click', safe(function (ev) {
    var t = ev.target, el = t.closest && t.closest('[data-cartwise-widget]');
    if (!el) return;
    var kind = attr(el, 'data-cartwise-widget'), all = t.closest('.cw-add-all'), li = t.closest('.cw-item[data-id]');
    var lis = all ? [].slice.call(all.closest('.cw-bundle').querySelectorAll('.cw-item[data-id]')) : li ? [li] : [];
    if (!lis.length || !(all || t.closest('.cw-add') || t.closest('a'))) return;
    var items = lis.map(item);
    track('select_item', { item_list_id: 'cartwise_' + kind, item_list_name: attr(lis[0], 'data-strategy'), items: items });
    send(true);
    if (all || t.closest('.cw-add')) {
      ev.preventDefault();
      // The shop adds the items (and pushes its own add_to_cart); without a callback the item's page opens.
      if (addToCart) items.forEach(function (i) { addToCart(i, { bundle: !!all }); });
      else if (attr(lis[0], 'data-link')) location.href = attr(lis[0], 'data-link');
    }
  }), true);
  d.addEventListener('visibilitychange', function () { send(true); });
  w.addEventListener('pagehide', function () { send(true); });

  var pending = Array.isArray(w.cartwise) ? w.cartwise : [];
  w.cartwise = function () { call(arguments); };
  w.cartwise.push = function (args) { call(args); };
  pending.forEach(function (args) { call(args); });
  if (d.readyState === 'loading') d.addEventListener('DOMContentLoaded', safe(widgets)); else widgets();
})(window, document);
