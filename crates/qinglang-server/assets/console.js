// qinglang console: keyboard shortcuts. No framework, no network calls; pages work without it.
//
// On an item:  a approve · r remove · s remove and sanction
// In a list:   j / k move · x select · o or Enter open · n work the next item · ? help
(function () {
  "use strict";
  function typing(e) {
    var t = e.target;
    return t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));
  }
  var rows = Array.prototype.slice.call(document.querySelectorAll("main table tbody tr"));
  var at = -1;
  function focusRow(i) {
    if (!rows.length) return;
    if (at >= 0) rows[at].classList.remove("focus");
    at = Math.max(0, Math.min(rows.length - 1, i));
    rows[at].classList.add("focus");
    rows[at].scrollIntoView({ block: "nearest" });
  }
  function help() {
    var box = document.getElementById("help");
    if (box) { box.remove(); return; }
    box = document.createElement("div");
    box.id = "help";
    box.textContent = document.documentElement.lang === "en"
      ? "a approve · r remove · s remove and sanction · j/k move · x select · o open · n next item"
      : "a 通过 · r 删除 · s 删除并处罚 · j/k 上下移动 · x 选中 · o 打开 · n 领取下一条";
    document.body.appendChild(box);
  }
  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey || typing(e)) return;
    var key = e.key;
    var button = document.querySelector('[data-key="' + key + '"]:not([disabled])');
    if (button) { e.preventDefault(); button.click(); return; }
    if (key === "j") { focusRow(at + 1); }
    else if (key === "k") { focusRow(at - 1); }
    else if (key === "x" && at >= 0) {
      var box = rows[at].querySelector('input[type="checkbox"]');
      if (box) box.checked = !box.checked;
    }
    else if ((key === "o" || key === "Enter") && at >= 0) {
      var link = rows[at].querySelector("a");
      if (link) link.click();
    }
    else if (key === "?") { help(); }
    else { return; }
    e.preventDefault();
  });
})();
