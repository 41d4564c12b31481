/* coopcli site search: reads search-index.json and lists the items matching every
   word of the query (a word matches the start of a word of an item's title,
   summary, type or tags). Results are built with DOM methods and textContent only,
   so nothing from the list is ever parsed as HTML. */
(function () {
  "use strict";
  var script = document.currentScript;
  var indexUrl = script.getAttribute("data-index");
  var root = script.getAttribute("data-root") || "";
  var form = document.querySelector(".search-page-form");
  var input = document.getElementById("search-page-q");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var LIMIT = 100;
  var data = null;
  var haystacks = null;

  function fold(text) {
    return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  function words(text) {
    return fold(text).match(/[\p{L}\p{N}_]+/gu) || [];
  }
  function prepare(index) {
    haystacks = index.items.map(function (row) {
      var tags = row[4].map(function (n) { return index.tags[n]; }).join(" ");
      var head = " " + words(row[1] + " " + index.types[row[3]] + " " + tags).join(" ");
      return { head: head + " ", all: head + " " + row[5] + " " };
    });
  }
  function matches(hay, query) {
    for (var i = 0; i < query.length; i++) {
      if (hay.indexOf(" " + query[i]) < 0) { return false; }
    }
    return true;
  }
  function formatDate(iso) {
    var months = ["January", "February", "March", "April", "May", "June", "July",
      "August", "September", "October", "November", "December"];
    var parts = iso.split("-");
    return Number(parts[2]) + " " + months[Number(parts[1]) - 1] + " " + parts[0];
  }
  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }
  function show(query) {
    list.textContent = "";
    var wanted = words(query);
    if (!wanted.length) {
      status.textContent = "Type a word to search.";
      return;
    }
    var first = [];
    var rest = [];
    for (var i = 0; i < data.items.length; i++) {
      if (matches(haystacks[i].head, wanted)) { first.push(i); }
      else if (matches(haystacks[i].all, wanted)) { rest.push(i); }
    }
    var found = first.concat(rest);
    var shown = found.slice(0, LIMIT);
    status.textContent = found.length === 0
      ? "No items match “" + query + "”."
      : (found.length === 1 ? "1 item matches" : found.length + " items match") + " “" + query + "”" +
        (found.length > LIMIT ? "; the first " + LIMIT + " are shown." : ".");
    shown.forEach(function (n) {
      var row = data.items[n];
      var li = element("li");
      var article = element("article", "entry");
      var meta = element("p", "entry-meta");
      var key = String(data.type_keys[row[3]]).replace(/[^a-z0-9_-]/g, "");
      meta.appendChild(element("span", "label label-" + key, data.types[row[3]]));
      var time = element("time", "", formatDate(row[2]));
      time.setAttribute("datetime", row[2]);
      meta.appendChild(time);
      var heading = element("h2", "entry-title");
      var link = element("a", "", row[1]);
      link.setAttribute("href", root + row[0]);
      link.setAttribute("dir", "auto");
      heading.appendChild(link);
      article.appendChild(meta);
      article.appendChild(heading);
      li.appendChild(article);
      list.appendChild(li);
    });
  }
  function run() {
    var query = new URLSearchParams(window.location.search).get("q") || "";
    input.value = query;
    document.querySelectorAll('input[name="q"]').forEach(function (box) { box.value = query; });
    if (!query.trim()) {
      status.textContent = "Type a word to search.";
      return;
    }
    status.textContent = "Searching…";
    fetch(indexUrl)
      .then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.json();
      })
      .then(function (index) {
        data = index;
        prepare(index);
        show(query);
      })
      .catch(function () {
        status.textContent = "The search index could not be loaded (search needs the site to be served over http).";
      });
  }
  form.addEventListener("submit", function (event) {
    if (!data) { return; }
    event.preventDefault();
    var query = input.value;
    history.replaceState(null, "", "?q=" + encodeURIComponent(query));
    show(query);
  });
  run();
})();
