/* The demo shop's own front end, as a shop would write it: a cart in local storage and GA4 e-commerce events pushed
   into the dataLayer, which the storefront script reads. Its only call to Cartwise: the widgets' add-to-cart callback. */
(function () {
  'use strict';
  var dataLayer = window.dataLayer = window.dataLayer || [];
  var CART = 'demo-shop-cart';
  function cart() { try { return JSON.parse(localStorage.getItem(CART)) || []; } catch (e) { return []; } }
  function save(items) { localStorage.setItem(CART, JSON.stringify(items)); count(); }
  function count() { var n = cart().reduce(function (s, i) { return s + i.quantity; }, 0); document.querySelectorAll('[data-cart-count]').forEach(function (el) { el.textContent = n; }); }
  function value(items) { return Math.round(items.reduce(function (s, i) { return s + i.price * i.quantity; }, 0) * 100) / 100; }
  function push(event, items, extra, ecommerce) {
    dataLayer.push({ ecommerce: null });
    var e = { event: event, ecommerce: { currency: 'GBP', value: value(items), items: items } };
    for (var k in extra || {}) e[k] = extra[k];
    for (var f in ecommerce || {}) e.ecommerce[f] = ecommerce[f];
    dataLayer.push(e);
  }

  function add(item, quantity) {
    var items = cart(), line = items.filter(function (i) { return i.item_id === item.item_id; })[0];
    if (line) line.quantity += quantity; else items.push(Object.assign({}, item, { quantity: quantity }));
    save(items);
    push('add_to_cart', [Object.assign({}, item, { quantity: quantity })]);
  }

  var product = document.querySelector('[data-item]');
  if (product) {
    var item = JSON.parse(product.getAttribute('data-item'));
    push('view_item', [Object.assign({ quantity: 1 }, item)]);
    product.querySelector('[data-add-to-cart]').addEventListener('submit', function (ev) {
      ev.preventDefault();
      add(item, Math.max(1, parseInt(ev.target.quantity.value, 10) || 1));
      product.querySelector('.added').hidden = false;
    });
  }
  // The recommendation widgets' "Add to cart" buttons put the item in this shop's cart.
  window.cartwise = window.cartwise || [];
  window.cartwise.push(['onAddToCart', function (i) {
    add({ item_id: i.item_id, item_name: i.item_name, price: i.price }, 1);
    if (lines) render();
    var added = document.querySelector('.added'); if (added) added.hidden = false;
  }]);

  var lines = document.querySelector('[data-cart-lines]');
  function render() {
    var items = cart();
    if (!items.length) { lines.innerHTML = '<p>Your cart is empty.</p>'; }
    else {
      var rows = items.map(function (i, n) {
        return '<tr><td><a href="/demo-shop/p/' + encodeURIComponent(i.item_id) + '"></a></td><td class="num">' + i.quantity + '</td><td class="num">£' + (i.price * i.quantity).toFixed(2) +
          '</td><td><button type="button" data-remove="' + n + '">Remove</button></td></tr>';
      }).join('');
      lines.innerHTML = '<table><thead><tr><th scope="col">Product</th><th scope="col" class="num">Quantity</th><th scope="col" class="num">Price</th><th scope="col"><span class="visually-hidden">Remove</span></th></tr></thead><tbody>' +
        rows + '</tbody><tfoot><tr><th scope="row">Total</th><td></td><td class="num">£' + value(items).toFixed(2) + '</td><td></td></tr></tfoot></table>';
      lines.querySelectorAll('tbody a').forEach(function (a, n) { a.textContent = items[n].item_name || items[n].item_id; });
    }
  }
  if (lines) {
    render();
    push('view_cart', cart());
    lines.addEventListener('click', function (ev) {
      var n = ev.target.getAttribute && ev.target.getAttribute('data-remove');
      if (n === null || n === undefined) return;
      var items = cart(), removed = items.splice(+n, 1);
      save(items); render(); push('remove_from_cart', removed);
    });
    document.querySelector('[data-checkout]').addEventListener('submit', function (ev) {
      ev.preventDefault();
      var items = cart();
      if (!items.length) return;
      var form = ev.target;
      push('begin_checkout', items);
      push('purchase', items, { email: form.email.value, consent: form.consent.checked }, { transaction_id: 'DEMO-' + Date.now() });
      save([]); render();
      document.querySelector('.thanks').hidden = false;
      if (typeof window.cartwise === 'function') window.cartwise('flush');
    });
  }
  count();
})();
