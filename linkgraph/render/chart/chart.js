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
    tlRefresh();
    mapRefresh();
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
    tlSelect(id);
    mapSelect(id);
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

  // ------------------------------------------------------------------ timeline (one row per dated entity)
  // Like i2's Activity View: each entity's row shows its own dated observations (dots), the dated links it takes
  // part in (ticks in the link type's colour) and the span between the first and the last. Dragging across the
  // dates sets the date filter above (the same state.from / state.to, so there is one filter); the entity selected
  // in the chart is highlighted here. Every label is SVG text set with textContent.
  var SVGNS = 'http://www.w3.org/2000/svg';
  var TL = {LABEL: 190, ROW: 18, PAD: 10, rows: [], rowOf: new Map(), d0: 0, d1: 1, full: [0, 1], view: null, width: 0,
    sel: null, brush: null};
  function s(tag, attrs, cls) {
    var e = document.createElementNS(SVGNS, tag);
    if (cls) e.setAttribute('class', cls);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, String(attrs[k])); });
    return e;
  }
  function tip(e, txt) { var t = s('title'); t.textContent = String(txt); e.appendChild(t); return e; }
  function dayOf(iso) {
    // 'YYYY-MM-DD' (or a longer ISO time) as a day number; a partial date's last day may be '-31' of a short month
    var m = /^(\d{4})-(\d{2})-(\d{2})/.exec(String(iso));
    return m ? Math.floor(Date.UTC(+m[1], +m[2] - 1, +m[3]) / 864e5) : null;
  }
  function isoOf(day) { return new Date(day * 864e5).toISOString().slice(0, 10); }
  function tlX(day) { return TL.LABEL + (day - TL.d0) / (TL.d1 - TL.d0) * (TL.width - TL.LABEL - TL.PAD); }
  function tlClampX(day) { return Math.min(Math.max(tlX(day), TL.LABEL), TL.width - TL.PAD); }
  function tlInView(sp) { return sp[1] >= TL.d0 && sp[0] <= TL.d1; }
  function tlDay(x) {
    var f = (x - TL.LABEL) / (TL.width - TL.LABEL - TL.PAD);
    return Math.floor(TL.d0 + Math.min(1, Math.max(0, f)) * (TL.d1 - TL.d0));
  }
  function tlBuild() {
    // rows: entities with a dated observation or a dated link, in order of their first date
    var lo = Infinity, hi = -Infinity;
    function span(d) {
      var a = dayOf(d[0]), b = dayOf(d[1]);
      if (a === null || b === null) return null;
      lo = Math.min(lo, a); hi = Math.max(hi, b + 1);
      return [a, b + 1];
    }
    var byNode = new Map();
    function row(id) {
      if (!byNode.has(id)) byNode.set(id, {id: id, obs: [], ev: [], first: Infinity, last: -Infinity});
      return byNode.get(id);
    }
    function add(r, sp, list, extra) {
      if (!sp) return;
      r.first = Math.min(r.first, sp[0]); r.last = Math.max(r.last, sp[1]);
      list.push({sp: sp, x: extra});
    }
    D.nodes.forEach(function (n) {
      (n.ob || []).forEach(function (d) { var r = row(n.i); add(r, span(d), r.obs, d); });
    });
    D.links.forEach(function (l) {
      if (!l.d) return;
      var sp = span(l.d);
      [l.f, l.to].forEach(function (id, k) {
        if (!nodeById.has(id) || (k === 1 && l.to === l.f)) return;
        var r = row(id); add(r, sp, r.ev, l);
      });
    });
    TL.rows = Array.from(byNode.values()).sort(function (a, b) {
      return a.first - b.first || a.last - b.last || (nodeById.get(a.id).c < nodeById.get(b.id).c ? -1 : 1);
    });
    TL.rows.forEach(function (r, k) { r.k = k; TL.rowOf.set(r.id, r); });
    if (TL.rows.length) {
      var pad = Math.max(1, Math.round((hi - lo) * 0.02));
      TL.full = [lo - pad, hi + pad];
    }
  }
  function tlTicks() {
    // calendar ticks, about one per 90 px: days, weeks, or the starts of months, quarters, half-years or years
    var per = (TL.d1 - TL.d0) / Math.max(2, (TL.width - TL.LABEL) / 90), out = [], d;
    if (per <= 8) {
      var step = per <= 1.5 ? 1 : 7;
      for (d = TL.d0; d <= TL.d1; d += step) out.push([d, isoOf(d)]);
      return out;
    }
    var months = [1, 3, 6, 12, 24, 60, 120, 240].filter(function (m) { return m * 30.4 >= per; })[0] || 480;
    var a = new Date(TL.d0 * 864e5), y = a.getUTCFullYear(), m = 0;
    if (months < 12) m = Math.floor(a.getUTCMonth() / months) * months;
    else y = Math.floor(y / (months / 12)) * (months / 12);
    for (;;) {
      d = Math.floor(Date.UTC(y, m, 1) / 864e5);
      if (d > TL.d1) break;
      if (d >= TL.d0) out.push([d, months >= 12 ? String(y) : y + '-' + String(m + 1).padStart(2, '0')]);
      m += months; y += Math.floor(m / 12); m %= 12;
    }
    return out;
  }
  function tlDraw() {
    var axis = $('lg-tl-axis'), svg = $('lg-tl-svg'), body = $('lg-tl-body');
    axis.textContent = ''; svg.textContent = '';
    TL.width = Math.max(TL.LABEL + 120, body.clientWidth || axis.clientWidth || 800);
    TL.d0 = (TL.view || TL.full)[0]; TL.d1 = (TL.view || TL.full)[1];
    $('lg-tl-all').hidden = !TL.view;
    if (!TL.rows.length) {
      $('lg-tl-note').textContent = 'No dated observations in this chart.';
      svg.setAttribute('height', '0');
      return;
    }
    var height = TL.rows.length * TL.ROW + 4;
    axis.setAttribute('width', TL.width); svg.setAttribute('width', TL.width); svg.setAttribute('height', height);
    var grid = s('g'), ticks = tlTicks();
    ticks.forEach(function (t) {
      var x = tlX(t[0]);
      axis.appendChild(s('line', {x1: x, x2: x, y1: 14, y2: 24}, 'lg-tl-tick'));
      var lab = s('text', {x: x + 3, y: 12}, 'lg-tl-ticklabel'); lab.textContent = t[1]; axis.appendChild(lab);
      grid.appendChild(s('line', {x1: x, x2: x, y1: 0, y2: height}, 'lg-tl-tick'));
    });
    svg.appendChild(grid);
    var rows = s('g');
    TL.rows.forEach(function (r) {
      var n = nodeById.get(r.id), y = r.k * TL.ROW, mid = y + TL.ROW / 2;
      var g = s('g', {}, 'lg-tl-row');
      g.setAttribute('data-node', r.id);
      r.g = g;
      g.appendChild(s('rect', {x: 0, y: y, width: TL.width, height: TL.ROW}, 'lg-tl-band'));
      var icon = typeIcon.get(n.t);
      if (icon) g.appendChild(s('image', {href: icon, x: 4, y: y + 2, width: TL.ROW - 4, height: TL.ROW - 4}));
      var lab = s('text', {x: TL.ROW + 4, y: mid + 4}, 'lg-tl-label');
      lab.textContent = trunc(n.c, 30);
      tip(lab, n.t + ': ' + n.c);
      lab.addEventListener('click', function () { focusNode(r.id); });
      g.appendChild(lab);
      if (tlInView([r.first, r.last])) g.appendChild(tip(s('line', {x1: tlClampX(r.first),
        x2: Math.max(tlClampX(r.last), tlClampX(r.first) + 1), y1: mid, y2: mid, stroke: '#5f6b76'}, 'lg-tl-span'), n.c + ': active ' + isoOf(r.first) + ' \u2013 ' + isoOf(r.last - 1)));
      r.evEls = r.ev.map(function (e) {
        if (!tlInView(e.sp)) return null;
        var l = e.x, x0 = tlClampX(e.sp[0]), x1 = Math.max(tlClampX(e.sp[1]), x0 + 2), other = nodeById.get(l.f === r.id ? l.to : l.f);
        // a dated event (a call, a shipment leg) is a tick across the row; a link dated only by a span (a year,
        // first and last seen) is a thin bar below the middle, so that it does not hide the ticks
        var bar = e.sp[1] - e.sp[0] > 1;
        var el = s('rect', {x: x0, y: bar ? mid + 3 : y + 3, width: x1 - x0, height: bar ? 3 : TL.ROW - 6,
          fill: linkColour.get(l.t) || '#888'}, bar ? 'lg-tl-ev lg-tl-evspan' : 'lg-tl-ev');
        el.setAttribute('data-link', l.i);
        tip(el, l.l + ' \u00b7 ' + (other ? other.c : '') + gradeLine(l));
        g.appendChild(el);
        return el;
      });
      r.obs.forEach(function (o) {
        if (!tlInView(o.sp)) return;
        var x0 = tlClampX(o.sp[0]), x1 = tlClampX(o.sp[1]);
        var el = o.sp[1] - o.sp[0] > 1 && x1 - x0 > 8 ? s('rect', {x: x0, y: mid - 3, width: x1 - x0, height: 6, rx: 3, fill: '#1d2327'}, 'lg-tl-obs')
          : s('circle', {cx: (x0 + x1) / 2, cy: mid, r: 4, fill: '#1d2327'}, 'lg-tl-obs');
        tip(el, n.c + ': observed ' + (o.x[0] === o.x[1] ? o.x[0] : o.x[0] + ' \u2013 ' + o.x[1]));
        g.appendChild(el);
      });
      rows.appendChild(g);
    });
    svg.appendChild(rows);
    TL.brush = [s('rect', {x: 0, y: 0, width: 0, height: 24}, 'lg-tl-brush'),
      s('rect', {x: 0, y: 0, width: 0, height: height}, 'lg-tl-brush')];
    axis.appendChild(TL.brush[0]); svg.appendChild(TL.brush[1]);
    tlRefresh();
    tlSelect(TL.sel, false);
  }
  function tlBrushShow(a, b) {
    // a, b: day numbers, b exclusive; null hides the brush
    if (!TL.brush) return;
    TL.brush.forEach(function (el) {
      if (a === null) { el.setAttribute('width', 0); return; }
      var x0 = tlClampX(a), x1 = tlClampX(b);
      el.setAttribute('x', Math.min(x0, x1)); el.setAttribute('width', Math.max(1, Math.abs(x1 - x0)));
    });
  }
  function tlRefresh() {
    // dim what the filters hide, and draw the date filter's range as the brush
    if (!TL.brush) return;
    TL.rows.forEach(function (r) {
      r.g.classList.toggle('lg-tl-off', !visibleNodes.has(r.id));
      r.evEls.forEach(function (el, k) { if (el) el.classList.toggle('lg-tl-off', !visibleLinks.has(r.ev[k].x.i)); });
    });
    var on = !!(state.from || state.to);
    $('lg-tl-clear').hidden = !on; $('lg-tl-zoom').hidden = !on;
    if (on) tlBrushShow(state.from ? dayOf(state.from) : TL.d0, state.to ? dayOf(state.to) + 1 : TL.d1);
    else tlBrushShow(null);
  }
  function tlSelect(id, scroll) {
    // highlight the row of the entity selected in the chart (null: none)
    if (TL.sel && TL.rowOf.has(TL.sel)) TL.rowOf.get(TL.sel).g.classList.remove('lg-tl-sel');
    TL.sel = id;
    var r = id === null || id === undefined ? null : TL.rowOf.get(id);
    if (!r || !r.g) return;
    r.g.classList.add('lg-tl-sel');
    if (scroll !== false) {
      var body = $('lg-tl-body'), y = r.k * TL.ROW;
      if (y < body.scrollTop || y + TL.ROW > body.scrollTop + body.clientHeight) body.scrollTop = Math.max(0, y - body.clientHeight / 3);
    }
  }
  function tlSetRange(from, to) {
    // the one date filter: the brush, the From and To fields and state.from / state.to move together
    state.from = from || ''; state.to = to || '';
    $('lg-from').value = state.from; $('lg-to').value = state.to;
    apply();
  }
  function tlBrushing(el) {
    var start = null, startX = 0;
    function xOf(ev) { return ev.clientX - el.getBoundingClientRect().left; }
    el.addEventListener('pointerdown', function (ev) {
      if (ev.button !== 0 || xOf(ev) < TL.LABEL || !TL.rows.length) return;
      start = tlDay(xOf(ev)); startX = xOf(ev);
      el.setPointerCapture(ev.pointerId);
      tlBrushShow(start, start + 1);
      ev.preventDefault();
    });
    el.addEventListener('pointermove', function (ev) {
      if (start === null) return;
      var d = tlDay(xOf(ev));
      tlBrushShow(Math.min(start, d), Math.max(start, d) + 1);
    });
    function end(ev) {
      if (start === null) return;
      var d = tlDay(xOf(ev)), a = Math.min(start, d), b = Math.max(start, d), moved = Math.abs(xOf(ev) - startX) >= 3;
      start = null;
      if (moved) tlSetRange(isoOf(a), isoOf(b));
      else tlRefresh();  // a click, not a drag: the range stays as it was
    }
    el.addEventListener('pointerup', end);
    el.addEventListener('pointercancel', function () { start = null; tlRefresh(); });
  }
  tlBrushing($('lg-tl-axis'));
  tlBrushing($('lg-tl-svg'));
  $('lg-tl-clear').addEventListener('click', function () { tlSetRange('', ''); });
  $('lg-tl-zoom').addEventListener('click', function () {
    // widen the brushed range a little on both sides, so its edges stay visible
    var a = state.from ? dayOf(state.from) : TL.full[0], b = state.to ? dayOf(state.to) + 1 : TL.full[1];
    var pad = Math.max(1, Math.round((b - a) * 0.05));
    TL.view = [a - pad, b + pad];
    tlDraw();
  });
  $('lg-tl-all').addEventListener('click', function () { TL.view = null; tlDraw(); });
  network.on('deselectNode', function () { tlSelect(null); });

  // ------------------------------------------------------------------ map (places, seizures, addresses)
  // Natural Earth 1:110m countries (D.world, TopoJSON decoded by the vendored topojson-client) drawn as SVG paths
  // in plain longitude / latitude. An entity is placed at its own coordinates (`ll`), else in its country (`cn`,
  // the ISO numeric id of the basemap's country); entities at one spot sit in a small ring around it. Filters
  // (types, grades, the timeline's range) hide their markers; the entity selected in the chart is ringed.
  var MAP = {marks: [], byNode: new Map(), country: new Map(), centre: new Map(), routes: [], sel: null, view: null,
    R: 7};
  function mapRing(coords) {
    // area and centroid of a ring of [lon, lat] (shoelace)
    var a = 0, cx = 0, cy = 0;
    for (var k = 0, n = coords.length - 1; k < n; k++) {
      var p = coords[k], q = coords[k + 1], c = p[0] * q[1] - q[0] * p[1];
      a += c; cx += (p[0] + q[0]) * c; cy += (p[1] + q[1]) * c;
    }
    return a ? [Math.abs(a / 2), [cx / (3 * a), cy / (3 * a)]] : [0, coords[0]];
  }
  function mapPath(geom) {
    var polys = geom.type === 'Polygon' ? [geom.coordinates] : geom.type === 'MultiPolygon' ? geom.coordinates : [];
    var d = [], best = [0, null];
    polys.forEach(function (poly) {
      poly.forEach(function (ring, k) {
        d.push('M' + ring.map(function (p) { return p[0].toFixed(2) + ',' + (-p[1]).toFixed(2); }).join('L') + 'Z');
        if (k === 0) { var r = mapRing(ring); if (r[0] > best[0]) best = r; }
      });
    });
    return [d.join(''), best[1]];
  }
  function mapBuild() {
    if (!D.world || typeof topojson === 'undefined') return false;
    var svg = $('lg-map-svg'), land = s('g'), marks = s('g');
    topojson.feature(D.world, D.world.objects.countries).features.forEach(function (f) {
      var pc = mapPath(f.geometry);
      if (!pc[0]) return;
      var el = s('path', {d: pc[0]}, 'lg-map-country');
      tip(el, f.properties && f.properties.name ? f.properties.name : '');
      land.appendChild(el);
      MAP.country.set(String(f.id), el);
      if (pc[1]) MAP.centre.set(String(f.id), pc[1]);
    });
    var spots = new Map();
    D.nodes.forEach(function (n) {
      var at = n.ll ? [n.ll[1], n.ll[0]] : n.cn ? MAP.centre.get(n.cn) : null;
      if (!at) return;
      var key = at[0].toFixed(3) + ',' + at[1].toFixed(3);
      if (!spots.has(key)) spots.set(key, []);
      spots.get(key).push({n: n, at: at});
    });
    spots.forEach(function (list) {
      list.forEach(function (m, k) {
        m.k = k; m.of = list.length;
        var g = s('g', {}, 'lg-map-mark');
        g.setAttribute('data-node', m.n.i);
        m.ring = s('circle', {r: 1, fill: '#ffffff'});
        m.img = s('image', {href: D.images[m.n.im], width: 1, height: 1});
        g.appendChild(m.ring); g.appendChild(m.img);
        tip(g, m.n.t + ': ' + m.n.c + (m.n.ll ? '' : ' (in its country)'));
        g.addEventListener('click', function (ev) { ev.stopPropagation(); focusNode(m.n.i); });
        m.g = g;
        marks.appendChild(g);
        MAP.marks.push(m);
        MAP.byNode.set(m.n.i, m);
      });
    });
    svg.appendChild(land); svg.appendChild(mapRoutes()); svg.appendChild(marks);
    $('lg-map').hidden = false;
    $('lg-map-note').textContent = MAP.marks.length + ' placed';
    return true;
  }
  function mapRoutes() {
    // a shipment's route: a line through the places of its ROUTED_VIA links, in the order of their `leg`
    var g = s('g'), legs = new Map();
    D.links.forEach(function (l) {
      if (l.t !== 'ROUTED_VIA' || !MAP.byNode.has(l.to) || !nodeById.has(l.f)) return;
      var leg = l.p.filter(function (kv) { return kv[0] === 'leg'; })[0];
      if (!legs.has(l.f)) legs.set(l.f, []);
      legs.get(l.f).push([leg ? parseFloat(leg[1]) : NaN, l]);
    });
    legs.forEach(function (list, id) {
      if (list.length < 2) return;
      list.sort(function (a, b) { return (isNaN(a[0]) ? Infinity : a[0]) - (isNaN(b[0]) ? Infinity : b[0]); });
      var at = list.map(function (x) { return MAP.byNode.get(x[1].to).at; });
      var el = s('polyline', {points: at.map(function (a) { return a[0].toFixed(3) + ',' + (-a[1]).toFixed(3); }).join(' ')},
        'lg-map-route');
      el.setAttribute('data-node', id);
      tip(el, nodeById.get(id).c + ': ' + list.map(function (x) { return nodeById.get(x[1].to).c; }).join(' \u2192 '));
      el.addEventListener('click', function () { focusNode(id); });
      g.appendChild(el);
      MAP.routes.push({id: id, el: el});
    });
    return g;
  }
  function mapFit(world) {
    // the view: the visible markers' extent (padded), or the whole world
    var lo = [180, 90], hi = [-180, -90], any = false;
    if (!world) {
      MAP.marks.forEach(function (m) {
        if (!visibleNodes.has(m.n.i)) return;
        any = true;
        lo = [Math.min(lo[0], m.at[0]), Math.min(lo[1], m.at[1])]; hi = [Math.max(hi[0], m.at[0]), Math.max(hi[1], m.at[1])];
      });
    }
    if (!any) { lo = [-180, -60]; hi = [180, 85]; }
    var w = Math.max(hi[0] - lo[0], 24), h = Math.max(hi[1] - lo[1], 14), cx = (lo[0] + hi[0]) / 2, cy = (lo[1] + hi[1]) / 2;
    if (any) {
      // room for the largest cluster of markers around a spot, in pixels, whatever the scale comes out as
      var svg = $('lg-map-svg'), cw = svg.clientWidth || 300, ch = svg.clientHeight || 180, px = 0, w0 = w, h0 = h;
      MAP.marks.forEach(function (m) { px = Math.max(px, mapSpread(m.of - 1) + MAP.R * 1.3); });
      for (var k = 0; k < 3; k++) {
        var pad = px / Math.min(cw / w, ch / h);
        w = (w0 + 2 * pad) * 1.12; h = (h0 + 2 * pad) * 1.12;
      }
    }
    MAP.view = [cx - w / 2, -(cy + h / 2), w, h];
    mapDraw();
  }
  function mapSpread(k) { return 2.05 * MAP.R * Math.sqrt(k); }  // pixels from its spot of the k-th marker there
  function mapDraw() {
    var svg = $('lg-map-svg'), v = MAP.view;
    if (!v) return;
    svg.setAttribute('viewBox', v.map(function (x) { return x.toFixed(3); }).join(' '));
    var scale = Math.min((svg.clientWidth || 300) / v[2], (svg.clientHeight || 180) / v[3]), u = 1 / scale;
    MAP.marks.forEach(function (m) {
      // entities at one spot: a sunflower around it (the k-th at radius ~ sqrt(k), turned by the golden angle)
      var rad = mapSpread(m.k) * u, a = m.k * 2.39996;
      var x = m.at[0] + rad * Math.cos(a), y = -m.at[1] + rad * Math.sin(a), r = MAP.R * u;
      m.ring.setAttribute('cx', x); m.ring.setAttribute('cy', y); m.ring.setAttribute('r', r * 1.15);
      m.img.setAttribute('x', x - r); m.img.setAttribute('y', y - r);
      m.img.setAttribute('width', 2 * r); m.img.setAttribute('height', 2 * r);
    });
  }
  function mapRefresh() {
    // hide the markers of what the filters hide; shade the countries that hold a visible marker
    if (!MAP.marks.length) return;
    var has = new Set();
    MAP.marks.forEach(function (m) {
      var on = visibleNodes.has(m.n.i);
      m.g.classList.toggle('lg-map-off', !on);
      if (on && m.n.cn) has.add(m.n.cn);
    });
    MAP.routes.forEach(function (r) { r.el.classList.toggle('lg-map-off', !visibleNodes.has(r.id)); });
    MAP.country.forEach(function (el, id) { el.classList.toggle('lg-map-has', has.has(id)); });
  }
  function mapSelect(id) {
    var old = MAP.sel === null ? null : MAP.byNode.get(MAP.sel);
    if (old) {
      old.g.classList.remove('lg-map-sel');
      if (old.n.cn && MAP.country.has(old.n.cn)) MAP.country.get(old.n.cn).classList.remove('lg-map-selc');
    }
    MAP.sel = id === undefined ? null : id;
    MAP.routes.forEach(function (r) { r.el.classList.toggle('lg-map-sel', r.id === MAP.sel); });
    var m = id === null || id === undefined ? null : MAP.byNode.get(id);
    if (!m) return;
    m.g.classList.add('lg-map-sel');
    m.g.parentNode.appendChild(m.g);  // drawn on top of its neighbours
    if (m.n.cn && MAP.country.has(m.n.cn)) MAP.country.get(m.n.cn).classList.add('lg-map-selc');
  }
  $('lg-map-fit').addEventListener('click', function () { mapFit(false); });
  $('lg-map-world').addEventListener('click', function () { mapFit(true); });
  network.on('deselectNode', function () { mapSelect(null); });

  // ------------------------------------------------------------------ the panels, once the chart is drawn
  // (a 2,000-entity timeline is tens of thousands of SVG elements: the chart shows first, the panels just after)
  var redraw = null;
  function resized() {
    clearTimeout(redraw);
    redraw = setTimeout(function () { tlDraw(); mapDraw(); }, 120);
  }
  function panels() {
    tlBuild();
    if (mapBuild()) {
      mapRefresh();
      mapFit(false);
      mapSelect(MAP.sel);
    }
    // the timeline is drawn once the map has taken its share of the width, and again whenever its size changes
    tlDraw();
    if (window.ResizeObserver) new ResizeObserver(resized).observe($('lg-tl'));
    else window.addEventListener('resize', resized);
    window.__linkgraphPanels = performance.now();
    performance.mark('lg-panels');
    $('lg-tl').setAttribute('data-drawn', 'true');
  }
  network.once('afterDrawing', function () { setTimeout(panels, 0); });

  markLegend();
  status();
  window.linkgraph = {network: network, nodes: visNodes, edges: visEdges, data: D, focus: focusNode,
    showNode: showNode, showLink: showLink, apply: apply, state: state,
    timeline: {range: tlSetRange, x: function (iso) { return tlX(dayOf(iso)); }, draw: tlDraw,
      rows: function () { return TL.rows.map(function (r) { return r.id; }); },
      selected: function () { return TL.sel; }},
    map: {fit: mapFit, selected: function () { return MAP.sel; },
      placed: function () { return MAP.marks.map(function (m) { return m.n.i; }); }},
    nodeIndex: function (id) { return nodeIndex.get(id); }, linkIndex: function (id) { return linkIndex.get(id); },
    selected: function () { return network.getSelectedNodes().map(function (k) { return D.nodes[k].i; }); },
    drawnIds: function () { return network.body.nodeIndices.map(function (k) { return D.nodes[k].i; }); },
    visibleNodeCount: function () { return visibleNodes.size; },
    visibleLinkCount: function () { return visibleLinks.size; }};
})();
