// The admin app's small script islands, by event delegation (pages arrive by enhanced navigation too):
// - a filter field over a list of checkboxes (<input data-filter-for="list-id">);
// - a form marked data-guard asks before the page is left with unsaved changes;
// - blocks of the message designer reorder by drag and drop (the move buttons do the same without a mouse);
// - a form marked data-live-reach is counted again on the server after a change (as its "Count the reach" button
//   does, saving nothing) and its [data-reach] texts are replaced by the answer's;
// - a region marked data-follow (imports in progress) is read again every 5 s while the #follow box is ticked, and
//   replaced by the fresh one, until the fresh one is no longer marked (nothing runs any more).
(function () {
  'use strict';
  document.addEventListener('input', function (e) {
    var t = e.target;
    if (t.matches && t.matches('input[data-filter-for]')) {
      var q = t.value.trim().toLowerCase();
      var list = document.getElementById(t.getAttribute('data-filter-for'));
      if (!list) return;
      list.querySelectorAll('li').forEach(function (li) {
        li.hidden = q.length > 0 && li.textContent.toLowerCase().indexOf(q) < 0;
      });
      return;
    }
    var form = t.form || (t.closest && t.closest('form'));
    if (form && form.hasAttribute('data-guard')) form.setAttribute('data-dirty', '');
  });
  var reachTimer = null;
  var reachRun = 0;
  function countReach(form) {
    var run = ++reachRun;
    var data = new FormData(form);
    data.set('Form.Action', 'reach');
    form.querySelectorAll('[data-reach]').forEach(function (x) { x.setAttribute('aria-busy', 'true'); });
    fetch(form.getAttribute('action') || location.href, { method: 'POST', body: data, credentials: 'same-origin' })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) {
        if (run !== reachRun) return; // a later change asked again
        var answer = new DOMParser().parseFromString(html, 'text/html');
        form.querySelectorAll('[data-reach]').forEach(function (x) {
          var fresh = answer.querySelector('[data-reach="' + x.getAttribute('data-reach') + '"]');
          if (fresh) x.textContent = fresh.textContent;
        });
      })
      .catch(function () { /* the button still counts it */ })
      .finally(function () {
        if (run === reachRun) form.querySelectorAll('[data-reach]').forEach(function (x) { x.removeAttribute('aria-busy'); });
      });
  }
  document.addEventListener('change', function (e) {
    var form = e.target.form;
    if (form && form.hasAttribute('data-guard')) form.setAttribute('data-dirty', '');
    if (form && form.hasAttribute('data-live-reach')) {
      clearTimeout(reachTimer);
      reachTimer = setTimeout(function () { countReach(form); }, 400);
    }
  });
  document.addEventListener('submit', function (e) {
    if (e.target.removeAttribute) e.target.removeAttribute('data-dirty');
  }, true);
  setInterval(function () {
    var region = document.querySelector('[data-follow]');
    var follow = document.getElementById('follow');
    if (!region || !region.id || (follow && !follow.checked) || document.hidden) return;
    fetch(location.href, { credentials: 'same-origin' })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, 'text/html').getElementById(region.id);
        if (!fresh || !region.isConnected) return;
        region.replaceWith(document.importNode(fresh, true));
        if (!fresh.hasAttribute('data-follow') && follow) follow.closest('p').remove();
      })
      .catch(function () { /* the next tick tries again */ });
  }, 5000);
  window.addEventListener('beforeunload', function (e) {
    if (document.querySelector('form[data-guard][data-dirty]')) { e.preventDefault(); e.returnValue = ''; }
  });

  // Drag and drop: dropping block A on block B posts the form with Form.Move = "A:B".
  var dragged = null;
  document.addEventListener('dragstart', function (e) {
    var block = e.target.closest && e.target.closest('[data-block]');
    if (!block) return;
    dragged = block;
    e.dataTransfer.effectAllowed = 'move';
    e.dataTransfer.setData('text/plain', block.getAttribute('data-block'));
    block.classList.add('dragging');
  });
  document.addEventListener('dragend', function () {
    if (dragged) dragged.classList.remove('dragging');
    document.querySelectorAll('.drop-target').forEach(function (x) { x.classList.remove('drop-target'); });
    dragged = null;
  });
  document.addEventListener('dragover', function (e) {
    var over = e.target.closest && e.target.closest('[data-block]');
    if (!dragged || !over || over === dragged) return;
    e.preventDefault();
    document.querySelectorAll('.drop-target').forEach(function (x) { if (x !== over) x.classList.remove('drop-target'); });
    over.classList.add('drop-target');
  });
  document.addEventListener('drop', function (e) {
    var over = e.target.closest && e.target.closest('[data-block]');
    if (!dragged || !over || over === dragged) return;
    e.preventDefault();
    var form = over.closest('form');
    var action = form && form.querySelector('input[name="Form.Move"]');
    if (!action) return;
    action.value = dragged.getAttribute('data-block') + ':' + over.getAttribute('data-block');
    form.removeAttribute('data-dirty');
    form.requestSubmit();
  });
})();
