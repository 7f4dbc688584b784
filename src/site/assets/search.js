/* The search page: looks through window.FA_SEARCH_INDEX (search-index.js; see
 * src/site/site_search.h for its shape) without any network, so it works from
 * file://.  Every term must appear somewhere in an item: its title, tags,
 * description, a comment, or the name of someone who commented, faved or took
 * it.  Case and accents are ignored.  ?q=words searches, ?tag=name lists the
 * items with that exact tag. */
(function () {
  "use strict";
  var MAX_SHOWN = 300;
  var index = window.FA_SEARCH_INDEX;
  var input = document.getElementById("search-input");
  var status = document.getElementById("search-status");
  var results = document.getElementById("search-results");
  var peopleList = document.getElementById("search-people");
  if (!input || !status || !results || !peopleList) return;

  function fold(s) {
    s = String(s || "").toLowerCase();
    return s.normalize ? s.normalize("NFD").replace(/[\u0300-\u036f]/g, "") : s;
  }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function params() {
    var out = {};
    var q = window.location.search.replace(/^\?/, "");
    q.split("&").forEach(function (kv) {
      if (!kv) return;
      var i = kv.indexOf("=");
      var k = i < 0 ? kv : kv.slice(0, i);
      var v = i < 0 ? "" : kv.slice(i + 1);
      try { out[decodeURIComponent(k)] = decodeURIComponent(v.replace(/\+/g, " ")); } catch (err) { /* ignore */ }
    });
    return out;
  }
  if (!index || !index.items) {
    status.textContent = "The search index (search-index.js) is missing: run 'flickr-archive site'.";
    return;
  }

  var people = index.people || [];
  /* the group, gallery and collection pages: [kind, id, name] */
  var pages = index.pages || [];
  var foldedPages = pages.map(function (pg) { return fold(pg[2]); });
  var foldedPeople = people.map(function (p) { return fold(p[1] + " " + p[2]); });
  var docs = null;

  /* Folded text of every item, made once, at the first search. */
  function prepare() {
    if (docs) return;
    docs = index.items.map(function (it) {
      var comments = (it[8] || []).map(function (c) { return fold(c[1]); });
      var names = [];
      (it[8] || []).forEach(function (c) { if (c[0] >= 0) names.push(foldedPeople[c[0]]); });
      (it[9] || []).forEach(function (f) { if (f >= 0) names.push(foldedPeople[f]); });
      if (it[10] >= 0) names.push(foldedPeople[it[10]]);
      return {
        title: fold(it[2]), tags: fold(it[6]), tagList: fold(it[6]).split(" "),
        desc: fold(it[7]), comments: comments, names: names.join(" \u0001 ")
      };
    });
  }

  /* Where an item matches every term: null, or {field, comment index}. */
  function match(d, terms) {
    var where = null;
    for (var t = 0; t < terms.length; t++) {
      var term = terms[t], found = null;
      if (d.title.indexOf(term) >= 0) found = { field: "title" };
      else if (d.tags.indexOf(term) >= 0) found = { field: "tags" };
      else if (d.desc.indexOf(term) >= 0) found = { field: "description" };
      else {
        for (var c = 0; c < d.comments.length && !found; c++)
          if (d.comments[c].indexOf(term) >= 0) found = { field: "comment", comment: c };
        if (!found && d.names.indexOf(term) >= 0) found = { field: "people" };
      }
      if (!found) return null;
      if (!where || (where.field === "title" && found.field !== "title")) where = found;
    }
    return where || { field: "title" };
  }

  function snippet(text, term) {
    var f = fold(text), i = f.indexOf(term);
    if (i < 0) return text.length > 160 ? text.slice(0, 160) + "\u2026" : text;
    var start = Math.max(0, i - 60), end = Math.min(text.length, i + term.length + 80);
    return (start > 0 ? "\u2026" : "") + text.slice(start, end) + (end < text.length ? "\u2026" : "");
  }

  function thumbSrc(it) {
    if (it[4]) return "thumbs/" + it[0] + "/" + it[1] + ".jpg";
    return it[5] ? "assets/placeholder-video.svg" : "assets/placeholder-photo.svg";
  }

  function avatarSrc(p) {
    return p[3] ? "../avatars/" + p[0] + ".jpg" : "assets/avatar.svg";
  }

  function whereText(it, where, terms) {
    if (where.field === "tags") return "Tags: " + it[6].split(" ").join(", ");
    if (where.field === "description") return snippet(it[7], terms[0]);
    if (where.field === "comment") {
      var c = it[8][where.comment];
      var who = c[0] >= 0 ? people[c[0]][1] : "someone";
      return "Comment by " + who + ": " + snippet(c[1], terms[terms.length - 1]);
    }
    if (where.field === "people") return "Commented, faved or taken by a person whose name matches";
    return "";
  }

  function resultItem(i, where, terms) {
    var it = index.items[i];
    var li = el("li", "search-result");
    li.setAttribute("data-kind", it[0]);
    li.setAttribute("data-id", it[1]);
    li.setAttribute("data-match", where.field);
    var a = el("a");
    a.href = it[0] + "/" + it[1] + ".html";
    var img = el("img");
    img.src = thumbSrc(it);
    img.alt = "";
    img.width = 72;
    img.height = 72;
    img.loading = "lazy";
    a.appendChild(img);
    var text = el("span");
    text.appendChild(el("span", "result-title", it[2] || "Untitled"));
    text.appendChild(el("span", "result-date", (it[0] === "fave" ? "Favorite" : it[5] ? "Video" : "Photo") +
      (it[3] ? ", posted " + it[3] : "")));
    var w = whereText(it, where, terms);
    if (w) text.appendChild(el("span", "result-where", w));
    a.appendChild(text);
    li.appendChild(a);
    return li;
  }

  function personItem(i) {
    var p = people[i];
    var li = el("li", "person-card search-person");
    li.setAttribute("data-nsid", p[0]);
    var a = el("a", "person person-link");
    a.href = "person/" + p[0] + ".html";
    var img = el("img", "avatar");
    img.src = avatarSrc(p);
    img.alt = "";
    img.width = 48;
    img.height = 48;
    a.appendChild(img);
    a.appendChild(el("span", "person-name", p[1]));
    li.appendChild(a);
    return li;
  }

  function pageItem(i) {
    var pg = pages[i];
    var li = el("li", "person-card search-page-link");
    li.setAttribute("data-kind", pg[0]);
    li.setAttribute("data-id", pg[1]);
    var a = el("a", "person-link");
    a.href = pg[0] + "/" + pg[1] + ".html";
    a.appendChild(el("span", "result-date", pg[0].charAt(0).toUpperCase() + pg[0].slice(1) + ": "));
    a.appendChild(el("span", "person-name", pg[2]));
    li.appendChild(a);
    return li;
  }

  function clear() {
    results.textContent = "";
    peopleList.textContent = "";
  }

  function runTag(tag) {
    prepare();
    var want = fold(tag), hits = [];
    docs.forEach(function (d, i) { if (d.tagList.indexOf(want) >= 0) hits.push(i); });
    show(hits.map(function (i) { return [i, { field: "tags" }]; }), [], [want],
      "tagged \u201c" + tag + "\u201d");
  }

  function runQuery(q) {
    var terms = fold(q).split(/\s+/).filter(function (t) { return t.length > 0; });
    if (!terms.length) {
      clear();
      status.textContent = "Type a word to search " + index.items.length + " items.";
      return;
    }
    prepare();
    var hits = [];
    for (var i = 0; i < docs.length; i++) {
      var where = match(docs[i], terms);
      if (where) hits.push([i, where]);
    }
    var ppl = [];
    for (var p = 0; p < people.length; p++) {
      var ok = true;
      for (var t = 0; t < terms.length && ok; t++) ok = foldedPeople[p].indexOf(terms[t]) >= 0;
      if (ok) ppl.push(p);
    }
    var pgs = [];
    for (var g = 0; g < pages.length; g++) {
      var all = true;
      for (var u = 0; u < terms.length && all; u++) all = foldedPages[g].indexOf(terms[u]) >= 0;
      if (all) pgs.push(g);
    }
    show(hits, ppl, terms, "\u201c" + q + "\u201d", pgs);
  }

  function show(hits, ppl, terms, what, pgs) {
    clear();
    (pgs || []).slice(0, 50).forEach(function (g) { peopleList.appendChild(pageItem(g)); });
    ppl.slice(0, 50).forEach(function (p) { peopleList.appendChild(personItem(p)); });
    var frag = document.createDocumentFragment();
    hits.slice(0, MAX_SHOWN).forEach(function (h) { frag.appendChild(resultItem(h[0], h[1], terms)); });
    results.appendChild(frag);
    var msg = hits.length + (hits.length === 1 ? " item" : " items") + " for " + what;
    if (ppl.length) msg += ", " + ppl.length + (ppl.length === 1 ? " person" : " people");
    if (pgs && pgs.length) msg += ", " + pgs.length + (pgs.length === 1 ? " group, gallery or collection" : " groups, galleries or collections");
    if (hits.length > MAX_SHOWN) msg += " (the first " + MAX_SHOWN + " shown)";
    status.textContent = msg;
    document.title = "Search: " + what;
  }

  var timer = null;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () { runQuery(input.value); }, 120);
  });
  var form = document.getElementById("search-page-form");
  if (form) form.addEventListener("submit", function (e) {
    e.preventDefault();
    runQuery(input.value);
  });

  var args = params();
  if (args.tag) {
    input.value = "";
    runTag(args.tag);
  } else {
    input.value = args.q || "";
    runQuery(input.value);
    var header = document.getElementById("site-search");
    if (header) header.value = input.value;
  }
  if (!args.tag) input.focus();
})();
