// Search box: filters activities, processors, recipients and transfers from
// the index in search-index.js, as the user types. Without JavaScript the
// box stays hidden and every page still reads. Results are built with
// textContent only: no HTML from the index ever reaches the page.
(function () {
  "use strict";
  var box = document.querySelector(".search");
  var index = window.ropaSearchIndex;
  if (!box || !Array.isArray(index)) {
    return;
  }
  var root = box.getAttribute("data-root") || "";
  var input = document.getElementById("search-input");
  var list = document.getElementById("search-results");
  var noneText = list.getAttribute("data-none") || "";
  var tables = Array.prototype.slice.call(document.querySelectorAll("table[data-filterable] tbody tr"));

  function norm(s) {
    return String(s).normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  var entries = index.map(function (e) {
    return { e: e, hay: norm([e.n, e.t, e.k].join(" ")) };
  });
  var rows = tables.map(function (tr) {
    return { tr: tr, hay: norm(tr.textContent) };
  });

  function matches(hay, words) {
    for (var i = 0; i < words.length; i++) {
      if (hay.indexOf(words[i]) === -1) {
        return false;
      }
    }
    return true;
  }

  function update() {
    var q = norm(input.value.trim());
    var words = q ? q.split(/\s+/) : [];
    while (list.firstChild) {
      list.removeChild(list.firstChild);
    }
    rows.forEach(function (r) {
      r.tr.hidden = words.length > 0 && !matches(r.hay, words);
    });
    if (words.length === 0) {
      return;
    }
    var hits = entries.filter(function (x) { return matches(x.hay, words); }).slice(0, 50);
    if (hits.length === 0) {
      var li = document.createElement("li");
      li.className = "none";
      li.textContent = noneText;
      list.appendChild(li);
      return;
    }
    hits.forEach(function (h) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = root + h.e.u;
      var kind = document.createElement("span");
      kind.className = "kind";
      kind.textContent = h.e.k;
      a.appendChild(kind);
      a.appendChild(document.createTextNode(" " + h.e.n));
      li.appendChild(a);
      list.appendChild(li);
    });
  }

  box.hidden = false;
  input.addEventListener("input", update);
  input.addEventListener("keydown", function (ev) {
    if (ev.key === "Escape") {
      input.value = "";
      update();
    }
  });
  update();
})();
