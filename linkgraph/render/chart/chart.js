(function () {
  'use strict';
  performance.mark('lg-start');
  var D = JSON.parse(document.getElementById('lg-data').textContent);
  performance.mark('lg-parsed');
  var REL = D.meta.reliability;
  var RELTXT = D.meta.reliabilityText;
  var CREDTXT = D.meta.credibilityText;
  function $(id) { return document.getElementById(id); }
  function h(tag, cls, txt) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (txt !== undefined && txt !== null) e.textContent = String(txt);
    return e;
  }
  function norm(s) { return String(s).normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase(); }
  function trunc(s, n) { s = String(s); return s.length > n ? s.slice(0, n - 1) + '\u2026' : s; }

  // vis-network keeps items in plain objects keyed by id: it only ever sees integer indexes, never data ids
  // (an id like "__proto__" would otherwise vanish), and these Maps lead back to the data.
  var nodeById = new Map(), linkById = new Map(), linksOf = new Map(), typeIcon = new Map();
  var nodeIndex = new Map(), linkIndex = new Map();
  D.types.forEach(function (t) { typeIcon.set(t.name, D.images[t.icon]); });
  D.nodes.forEach(function (n, k) {
    nodeById.set(n.i, n); nodeIndex.set(n.i, k); linksOf.set(n.i, []); n.key = norm(n.c + '\u0000' + n.i);
  });
  D.links.forEach(function (l, k) {
    linkById.set(l.i, l); linkIndex.set(l.i, k);
    if (linksOf.has(l.f)) linksOf.get(l.f).push(l);
    if (l.to !== l.f && linksOf.has(l.to)) linksOf.get(l.to).push(l);
  });
  var pathNodes = new Set(D.path), pathLinks = new Set(D.pathLinks);

  // ------------------------------------------------------------------ marks (an analytic query's result)
  var MARK = D.mark, marked = new Set(MARK ? MARK.ids : []);
  function markStyle(o, n) {
    // a thick border in the mark colour around the icon, and the rank before the caption
    o.label = '#' + n.mk[0] + ' ' + o.label;
    o.borderWidth = 4; o.borderWidthSelected = 5;
    o.shapeProperties = {useBorderWithImage: true, interpolation: false};
    o.color = {border: MARK.colour, background: '#ffffff',
      highlight: {border: MARK.colour, background: '#ffffff'}, hover: {border: MARK.colour, background: '#ffffff'}};
    o.font = {color: MARK.colour, bold: true};
    o.title = '#' + n.mk[0] + ' ' + n.mk[1] + '\n' + o.title;
  }
  function markOK(n) { return !state.marked || marked.has(n.i); }
  function markPanel(n) {
    if (!n.mk) return;
    var d = h('div', 'lg-mark'); d.style.borderLeftColor = MARK.colour;
    d.appendChild(h('strong', null, 'Marked #' + n.mk[0] + ' \u00b7 ' + MARK.title));
    d.appendChild(h('div', 'lg-marktext', n.mk[1]));
    panel.appendChild(d);
  }
  function markLegend() {
    if (!MARK) return;
    $('lg-mark-sec').hidden = false;
    $('lg-markdot').style.borderColor = MARK.colour;
    $('lg-mark-title').textContent = 'Marked: ' + MARK.title;
    $('lg-mark-title').title = 'Marked: ' + MARK.title + ' (' + MARK.query + ')';
    $('lg-mark-count').textContent = String(MARK.ids.length);
    $('lg-marked-only').addEventListener('change', function () { state.marked = this.checked; apply(); });
    MARK.ids.forEach(function (id) {
      var n = nodeById.get(id), li = h('li'), b = h('button', null, n ? n.c : id);
      b.type = 'button'; b.title = n && n.mk ? n.mk[1] : id;
      b.addEventListener('click', function () { focusNode(id); });
      li.appendChild(b); $('lg-marks').appendChild(li);
    });
  }
  var linkColour = new Map(D.linkTypes.map(function (t) { return [t.name, t.colour]; }));

  function gradeLine(it) { return it.gr ? '\nGrade ' + it.gr : ''; }
  var visNodes = new vis.DataSet(D.nodes.map(function (n, k) {
    var o = {id: k, x: n.x, y: n.y, label: trunc(n.c, 42), image: D.images[n.im], size: n.s,
      title: n.t + ': ' + n.c + gradeLine(n) + '\n' + n.i};
    if (pathNodes.has(n.i)) {
      o.shadow = {enabled: true, color: 'rgba(227,26,28,0.95)', size: 22, x: 0, y: 0};
      o.font = {color: '#b00000', bold: true};
    }
    if (n.mk) markStyle(o, n);
    return o;
  }));
  var visEdges = new vis.DataSet(D.links.map(function (l, k) {
    var c = linkColour.get(l.t) || '#888';
    var onPath = pathLinks.has(l.i);
    var from = nodeById.get(l.f), to = nodeById.get(l.to);
    return {id: k, from: nodeIndex.get(l.f), to: nodeIndex.get(l.to), label: l.l,
      color: {color: onPath ? '#e31a1c' : c, highlight: onPath ? '#e31a1c' : c, hover: c, opacity: onPath ? 1 : 0.85},
      width: onPath ? 5 : 1.3,
      title: l.l + gradeLine(l) + '\n' + (from ? from.c : l.f) + ' \u2192 ' + (to ? to.c : l.to)};
  }));

  var visibleNodes = new Set(D.nodes.map(function (n) { return n.i; }));
  var visibleLinks = new Set(D.links.map(function (l) { return l.i; }));
  var nodesView = new vis.DataView(visNodes, {filter: function (o) { return visibleNodes.has(D.nodes[o.id].i); }});
  var edgesView = new vis.DataView(visEdges, {filter: function (o) { return visibleLinks.has(D.links[o.id].i); }});
  var big = D.nodes.length > 600;
  var options = {
    physics: false,
    layout: {improvedLayout: false, randomSeed: 1},
    interaction: {hover: !big, tooltipDelay: 120, hideEdgesOnDrag: big, hideEdgesOnZoom: big, multiselect: false,
      navigationButtons: false, keyboard: false},
    nodes: {shape: 'image', shapeProperties: {interpolation: false},
      // big charts: captions appear once zoomed in enough to read them (drawing 2,000 at once is slow and unreadable)
      scaling: {label: {drawThreshold: big ? 9 : 5}},
      font: {size: 12, face: 'system-ui, sans-serif', color: '#1d2327', strokeWidth: 3, strokeColor: '#ffffff'},
      chosen: {label: false, node: function (v) { v.shadow = true; v.shadowColor = 'rgba(11,87,208,0.9)'; v.shadowSize = 18;
        v.shadowX = 0; v.shadowY = 0; }}},
    edges: {smooth: false, arrows: {to: {enabled: true, scaleFactor: 0.45}}, scaling: {label: {drawThreshold: big ? 10 : 5}},
      font: {size: 9, face: 'system-ui, sans-serif', color: '#4a545e', strokeWidth: 2, strokeColor: '#ffffff', align: 'middle'},
      selectionWidth: 2, hoverWidth: 0.5}
  };
  var container = $('lg-net');
  performance.mark('lg-datasets');
  var network = new vis.Network(container, {nodes: nodesView, edges: edgesView}, options);
  performance.mark('lg-network');
  network.once('afterDrawing', function () {
    window.__linkgraphDrawn = performance.now();
    performance.mark('lg-drawn');
    container.setAttribute('data-drawn', 'true');
  });
  network.fit({animation: false});

  // ------------------------------------------------------------------ legend and filters
  var state = {types: new Set(D.types.map(function (t) { return t.name; })),
    linkTypes: new Set(D.linkTypes.map(function (t) { return t.name; })),
    from: '', to: '', undated: true, rel: '', cred: 0, isolated: false, marked: false};

  function legendItem(list, name, count, mark, set) {
    var li = h('li'), lab = h('label'), cb = h('input');
    cb.type = 'checkbox'; cb.checked = true;
    cb.addEventListener('change', function () { if (cb.checked) set.add(name); else set.delete(name); apply(); });
    lab.appendChild(cb); lab.appendChild(mark); lab.appendChild(h('span', 'lg-name', name));
    lab.appendChild(h('span', 'lg-count', count));
    li.appendChild(lab); list.appendChild(li);
  }
  rebindLegend();
  if (D.colours.length) {
    $('lg-colour-sec').hidden = false;
    $('lg-colour-h').textContent = D.meta.colorBy === 'community' ? 'Communities (colour)' : 'Countries (colour)';
    $('lg-colour-note').textContent = D.meta.colourNote;
    $('lg-colour-note').hidden = !D.meta.colourNote;
    D.colours.forEach(function (c) {
      var li = h('li'), dot = h('span', 'lg-dot'); dot.style.background = c.colour;
      li.appendChild(dot); li.appendChild(h('span', 'lg-name', c.label)); li.appendChild(h('span', 'lg-count', c.count));
      $('lg-colours').appendChild(li);
    });
  }
  $('lg-sizenote').textContent = D.meta.sizeNote ? 'Entity size: ' + D.meta.sizeNote + '.' : '';
  function option(sel, value, label) { var o = h('option', null, label); o.value = value; sel.appendChild(o); }
  option($('lg-rel'), '', 'any');
  REL.split('').forEach(function (r) { option($('lg-rel'), r, r + ' \u2013 ' + RELTXT[r]); });
  option($('lg-cred'), '0', 'any');
  [1, 2, 3, 4, 5, 6].forEach(function (c) { option($('lg-cred'), String(c), c + ' \u2013 ' + CREDTXT[c]); });

  function gradeOK(it) {
    if (!state.rel && !state.cred) return true;
    var R = state.rel ? REL.indexOf(state.rel) : 5, C = state.cred || 6;
    for (var k = 0; k < it.g.length; k++) { if (it.g[k][0] <= R && it.g[k][1] <= C) return true; }
    return false;
  }
  function dateOK(it) {
    if (!state.from && !state.to) return true;
    if (!it.d) return state.undated;
    return (!state.from || it.d[1] >= state.from) && (!state.to || it.d[0] <= state.to);
  }
  function apply() {
    visibleNodes.clear(); visibleLinks.clear();
    D.nodes.forEach(function (n) { if (state.types.has(n.t) && gradeOK(n) && dateOK(n) && markOK(n)) visibleNodes.add(n.i); });
    D.links.forEach(function (l) {
      if (state.linkTypes.has(l.t) && visibleNodes.has(l.f) && visibleNodes.has(l.to) && gradeOK(l) && dateOK(l))
        visibleLinks.add(l.i);
    });
    if (state.isolated) {
      var linked = new Set();
      visibleLinks.forEach(function (id) { var l = linkById.get(id); linked.add(l.f); linked.add(l.to); });
      Array.from(visibleNodes).forEach(function (id) { if (!linked.has(id)) visibleNodes.delete(id); });
    }
    nodesView.refresh(); edgesView.refresh();
    status();
  }
  function status() {
    $('lg-status').textContent = 'Showing ' + visibleNodes.size + ' of ' + D.nodes.length + ' entities \u00b7 ' +
      visibleLinks.size + ' of ' + D.links.length + ' links';
  }
  $('lg-from').addEventListener('change', function () { state.from = this.value; apply(); });
  $('lg-to').addEventListener('change', function () { state.to = this.value; apply(); });
  $('lg-undated').addEventListener('change', function () { state.undated = this.checked; apply(); });
  $('lg-rel').addEventListener('change', function () { state.rel = this.value; apply(); });
  $('lg-cred').addEventListener('change', function () { state.cred = parseInt(this.value, 10) || 0; apply(); });
  $('lg-isolated').addEventListener('change', function () { state.isolated = this.checked; apply(); });
  $('lg-fit').addEventListener('click', function () { network.fit({animation: false}); });
  $('lg-reset').addEventListener('click', function () {
    state.types = new Set(D.types.map(function (t) { return t.name; }));
    state.linkTypes = new Set(D.linkTypes.map(function (t) { return t.name; }));
    rebindLegend();
    $('lg-from').value = ''; $('lg-to').value = ''; $('lg-undated').checked = true; $('lg-rel').value = '';
    $('lg-cred').value = '0'; $('lg-isolated').checked = false; $('lg-marked-only').checked = false;
    state.from = ''; state.to = ''; state.undated = true; state.rel = ''; state.cred = 0; state.isolated = false;
    state.marked = false;
    apply();
  });
  function rebindLegend() {
    // (re)build the type legends; their checkboxes close over the current filter sets
    $('lg-types').textContent = ''; $('lg-linktypes').textContent = '';
    D.types.forEach(function (t) {
      var img = h('img'); img.alt = ''; img.src = D.images[t.icon];
      legendItem($('lg-types'), t.name, t.count, img, state.types);
    });
    D.linkTypes.forEach(function (t) {
      var sw = h('span', 'lg-swatch'); sw.style.background = t.colour;
      legendItem($('lg-linktypes'), t.name, t.count, sw, state.linkTypes);
    });
  }

  // ------------------------------------------------------------------ path
  if (D.path.length) {
    $('lg-path-sec').hidden = false; $('lg-showpath').hidden = false;
    D.path.forEach(function (id) {
      var n = nodeById.get(id), li = h('li'), b = h('button', null, n ? n.c : id);
      b.type = 'button'; b.addEventListener('click', function () { focusNode(id); });
      li.appendChild(b); $('lg-path').appendChild(li);
    });
    $('lg-showpath').addEventListener('click', function () {
      network.fit({nodes: D.path.filter(function (id) { return visibleNodes.has(id); })
        .map(function (id) { return nodeIndex.get(id); }), animation: false});
    });
  }

  // ------------------------------------------------------------------ search
  function search() {
    var q = norm($('lg-q').value.trim()), ul = $('lg-results');
    ul.textContent = '';
    if (!q) return [];
    var hits = [];
    for (var k = 0; k < D.nodes.length && hits.length < 50; k++) { if (D.nodes[k].key.indexOf(q) >= 0) hits.push(D.nodes[k]); }
    if (!hits.length) { ul.appendChild(h('li', 'lg-note', 'No match')); return hits; }
    hits.forEach(function (n) {
      var li = h('li'), b = h('button', 'lg-hit'), img = h('img');
      b.type = 'button'; img.alt = ''; img.src = typeIcon.get(n.t) || '';
      b.appendChild(img); b.appendChild(h('span', 'lg-hit-c', n.c)); b.appendChild(h('span', 'lg-hit-t', n.t));
      b.title = n.t + ': ' + n.c;
      b.addEventListener('click', function () { focusNode(n.i); });
      li.appendChild(b); ul.appendChild(li);
    });
    return hits;
  }
  $('lg-q').addEventListener('input', search);
  $('lg-q').addEventListener('keydown', function (ev) {
    if (ev.key === 'Enter') { var hits = search(); if (hits.length) focusNode(hits[0].i); }
    if (ev.key === 'Escape') { this.value = ''; search(); }
  });

  function focusNode(id, animate, scale) {
    if (visibleNodes.has(id)) {
      network.selectNodes([nodeIndex.get(id)]);
      network.focus(nodeIndex.get(id), {scale: scale || Math.max(network.getScale(), 1.1),
        animation: animate === false ? false : {duration: 350, easingFunction: 'easeInOutQuad'}});
    } else {
      network.unselectAll();
    }
    showNode(id);
  }

  // ------------------------------------------------------------------ side panel
  var panel = $('lg-panel');
  function kvTable(rows) {
    var t = h('table', 'lg-kv'), tb = h('tbody');
    rows.forEach(function (r) { var tr = h('tr'); tr.appendChild(h('th', null, r[0])); tr.appendChild(h('td', null, r[1])); tb.appendChild(tr); });
    t.appendChild(tb); return t;
  }
  function gradeOf(r) {
    var rel = r.get('reliability') || '', cred = r.get('credibility') || '';
    return rel + String(cred).replace(/\.0+$/, '');
  }
  var PROV_ORDER = [['source', 'Source'], ['sheet', 'Sheet'], ['row', 'Row'], ['rows', 'Rows'], ['observed', 'Date'], ['grade', 'Grade'],
    ['handling', 'Handling'], ['source_type', 'Source type'], ['agency', 'Agency'], ['batch', 'Batch'],
    ['imported', 'Imported'], ['sha256', 'SHA-256']];
  function record(codes) {
    // a provenance record: [key, value, ...] indexes into the page's string table, decoded into a Map
    var r = new Map();
    for (var k = 0; k + 1 < codes.length; k += 2) r.set(D.strings[codes[k]], D.strings[codes[k + 1]]);
    return r;
  }
  function provCard(codes) {
    var r = record(codes), rows = [], seen = new Set(['reliability', 'credibility']);
    PROV_ORDER.forEach(function (p) {
      var v = p[0] === 'grade' ? gradeOf(r) : r.get(p[0]);
      seen.add(p[0]);
      if (v !== undefined && v !== '') rows.push([p[1], v]);
    });
    r.forEach(function (v, k) { if (!seen.has(k)) rows.push([k, v]); });
    var d = h('div', 'lg-prov'); d.appendChild(kvTable(rows)); return d;
  }
  function provSection(parent, title, recs) {
    parent.appendChild(h('h3', null, title + ' (' + recs.length + ')'));
    if (!recs.length) parent.appendChild(h('p', 'lg-note', 'No provenance recorded.'));
    recs.forEach(function (codes) { parent.appendChild(provCard(codes)); });
  }
  function gradeBadge(it) {
    var s = h('span', 'lg-grade', it.gr || 'ungraded');
    if (it.gr) s.title = (RELTXT[it.gr[0]] || '') + ' / ' + (CREDTXT[it.gr[1]] || '');
    return s;
  }
  function header(imgSrc, title, sub, id) {
    var d = h('div', 'lg-ph');
    if (imgSrc) { var img = h('img'); img.alt = ''; img.src = imgSrc; d.appendChild(img); }
    var t = h('div'); t.appendChild(h('h2', null, title)); t.appendChild(h('div', 'lg-type', sub)); t.appendChild(h('div', 'lg-id', id));
    d.appendChild(t); return d;
  }
  function showNode(id) {
    var n = nodeById.get(id);
    if (!n) return;
    panel.textContent = '';
    panel.setAttribute('data-node', id);
    panel.appendChild(header(typeIcon.get(n.t), n.c, n.t, n.i));
    var g = h('div'); g.appendChild(h('span', null, 'Grade ')); g.appendChild(gradeBadge(n)); panel.appendChild(g);
    markPanel(n);
    if (!visibleNodes.has(id)) panel.appendChild(h('p', 'lg-hidden-note', 'Hidden by the current filters.'));
    if (n.p.length) { panel.appendChild(h('h3', null, 'Properties')); panel.appendChild(kvTable(n.p)); }
    if (n.q.length) { panel.appendChild(h('h3', null, 'Grading and handling')); panel.appendChild(kvTable(n.q)); }
    provSection(panel, 'Sources of this entity', n.pr);
    var ls = linksOf.get(id) || [];
    panel.appendChild(h('h3', null, 'Links (' + ls.length + ')'));
    ls.slice(0, 300).forEach(function (l) { panel.appendChild(linkBlock(l, id)); });
    if (ls.length > 300) panel.appendChild(h('p', 'lg-note', (ls.length - 300) + ' more links not listed.'));
    panel.scrollTop = 0;
  }
  function linkBlock(l, fromId) {
    var d = h('div', 'lg-link'), other = l.f === fromId ? l.to : l.f, on = nodeById.get(other);
    var head = h('div', 'lg-lhead');
    head.appendChild(h('span', null, (l.f === fromId ? l.t + ' \u2192 ' : '\u2190 ' + l.t + ' \u2190 ')));
    var b = h('button', 'lg-linkto', on ? on.c : other); b.type = 'button';
    b.addEventListener('click', function () { focusNode(other); });
    head.appendChild(b);
    d.appendChild(head);
    var meta = h('div', 'lg-note');
    meta.appendChild(h('span', null, (l.dt ? l.dt + ' \u00b7 ' : '') + 'grade '));
    meta.appendChild(gradeBadge(l));
    d.appendChild(meta);
    if (l.p.length) d.appendChild(kvTable(l.p));
    l.pr.forEach(function (codes) { d.appendChild(provCard(codes)); });
    if (!l.pr.length) d.appendChild(h('p', 'lg-note', 'No provenance recorded for this link.'));
    return d;
  }
  function showLink(id) {
    var l = linkById.get(id);
    if (!l) return;
    var f = nodeById.get(l.f), t = nodeById.get(l.to);
    panel.textContent = '';
    panel.setAttribute('data-link', id);
    panel.appendChild(header(null, l.l, (f ? f.c : l.f) + ' \u2192 ' + (t ? t.c : l.to), l.i));
    var g = h('div'); g.appendChild(h('span', null, 'Grade ')); g.appendChild(gradeBadge(l)); panel.appendChild(g);
    if (l.p.length) { panel.appendChild(h('h3', null, 'Properties')); panel.appendChild(kvTable(l.p)); }
    if (l.q.length) { panel.appendChild(h('h3', null, 'Grading and handling')); panel.appendChild(kvTable(l.q)); }
    provSection(panel, 'Sources of this link', l.pr);
  }
  network.on('click', function (p) {
    if (p.nodes.length) showNode(D.nodes[p.nodes[0]].i);
    else if (p.edges.length) showLink(D.links[p.edges[0]].i);
  });

  markLegend();
  status();
  window.linkgraph = {network: network, nodes: visNodes, edges: visEdges, data: D, focus: focusNode,
    showNode: showNode, showLink: showLink, apply: apply, state: state,
    nodeIndex: function (id) { return nodeIndex.get(id); }, linkIndex: function (id) { return linkIndex.get(id); },
    selected: function () { return network.getSelectedNodes().map(function (k) { return D.nodes[k].i; }); },
    drawnIds: function () { return network.body.nodeIndices.map(function (k) { return D.nodes[k].i; }); },
    visibleNodeCount: function () { return visibleNodes.size; },
    visibleLinkCount: function () { return visibleLinks.size; }};
})();
