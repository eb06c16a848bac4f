// Keyboard shortcuts, as in Discourse: j and k move between posts, r replies, / searches and
// ? lists them. Single keys can get in the way of speech input and some keyboards (WCAG 2.1.4),
// so they are said once, and can be turned off in the list (kept in this browser).
(function () {
  "use strict";
  var OFF_KEY = "fhn:shortcuts-off";
  var announcer = document.querySelector("[data-live-announcer]");
  var dialog = null;

  function isOff() { try { return window.localStorage.getItem(OFF_KEY) === "1"; } catch (e) { return false; } }
  function setOff(off) {
    try {
      if (off) { window.localStorage.setItem(OFF_KEY, "1"); } else { window.localStorage.removeItem(OFF_KEY); }
    } catch (e) { /* private mode: on for this page only */ }
  }
  function announce(text) {
    if (!announcer) { return; }
    announcer.textContent = "";
    window.setTimeout(function () { announcer.textContent = text; }, 50);
  }
  function typing(target) {
    if (!target || target === document.body) { return false; }
    var tag = target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || target.isContentEditable;
  }
  function posts() { return Array.prototype.slice.call(document.querySelectorAll("ol.posts > li.post")); }
  var position = document.querySelector("[data-position]");

  function currentIndex(list) {
    var active = document.activeElement;
    for (var i = 0; i < list.length; i++) {
      if (list[i] === active || list[i].contains(active)) { return i; }
    }
    // Nothing focused yet: start from the first post on screen.
    for (var j = 0; j < list.length; j++) {
      if (list[j].getBoundingClientRect().bottom > 0) { return j - 1; }
    }
    return -1;
  }
  function move(step) {
    var list = posts();
    if (!list.length) { return; }
    var index = Math.min(Math.max(currentIndex(list) + step, 0), list.length - 1);
    var item = list[index];
    if (!item.hasAttribute("tabindex")) { item.setAttribute("tabindex", "-1"); }
    item.focus();
    item.scrollIntoView({ block: "start" });
    var number = (item.id || "").replace("post-", "");
    if (position && number) {
      position.textContent = "Post " + number;
    }
    var author = item.querySelector(".author");
    announce("Post " + number + (author ? " by " + author.textContent.trim() : ""));
  }
  function reply() {
    var box = document.querySelector('form[data-composer] textarea[name="source"]');
    if (box) { box.focus(); box.scrollIntoView({ block: "center" }); return; }
    var link = document.querySelector('.tools a[href*="/reply/"]');
    if (link) { window.location.href = link.href; }
  }
  function search() {
    var box = document.getElementById("header-search-q") || document.querySelector('input[type="search"]');
    if (box) { box.focus(); box.select(); }
  }

  function buildDialog() {
    dialog = document.createElement("dialog");
    dialog.className = "shortcuts-dialog";
    dialog.setAttribute("aria-labelledby", "shortcuts-title");
    dialog.innerHTML =
      '<h2 id="shortcuts-title">Keyboard shortcuts</h2>' +
      "<dl>" +
      "<dt><kbd>j</kbd></dt><dd>Next post</dd>" +
      "<dt><kbd>k</kbd></dt><dd>Previous post</dd>" +
      "<dt><kbd>r</kbd></dt><dd>Reply to the thread</dd>" +
      "<dt><kbd>/</kbd></dt><dd>Search</dd>" +
      "<dt><kbd>?</kbd></dt><dd>This list</dd>" +
      "</dl>" +
      "<p>Shortcuts do nothing while you are typing in a box.</p>" +
      '<label><input type="checkbox" data-shortcuts-off> Turn keyboard shortcuts off</label>' +
      '<form method="dialog"><button type="submit" class="button">Close</button></form>';
    document.body.appendChild(dialog);
    var box = dialog.querySelector("[data-shortcuts-off]");
    box.addEventListener("change", function () {
      setOff(box.checked);
      announce(box.checked ? "Keyboard shortcuts are off." : "Keyboard shortcuts are on.");
    });
  }
  function help() {
    if (!dialog) { buildDialog(); }
    dialog.querySelector("[data-shortcuts-off]").checked = isOff();
    if (typeof dialog.showModal === "function") { dialog.showModal(); } else { dialog.setAttribute("open", ""); }
  }

  // "Post 12 of 40" follows the reader down the page (the page itself says "Posts 1 to 20").
  if (position && "IntersectionObserver" in window) {
    var seen = {};
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) { seen[entry.target.id] = entry.isIntersecting; });
      var first = posts().filter(function (item) { return seen[item.id]; })[0];
      if (first) { position.textContent = "Post " + first.id.replace("post-", ""); }
    }, { rootMargin: "0px 0px -60% 0px" });
    posts().forEach(function (item) { observer.observe(item); });
  }

  // A button to reach the list (and so to turn shortcuts back on) without the keyboard.
  var main = document.querySelector("main");
  if (main && (document.querySelector("ol.posts") || document.querySelector(".thread-list"))) {
    var opener = document.createElement("p");
    opener.className = "shortcuts-toggle";
    opener.innerHTML = '<button type="button" class="button secondary" data-shortcuts-help>Keyboard shortcuts</button>';
    main.appendChild(opener);
    opener.querySelector("button").addEventListener("click", help);
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (typing(event.target)) { return; }
    if (dialog && dialog.open) { return; }  // the dialog's own keys (Escape closes it)
    if (isOff()) { return; }  // every key, "?" too: the button on the page turns them back on
    var key = event.key;
    if (key === "?") { event.preventDefault(); help(); }
    else if (key === "j") { event.preventDefault(); move(1); }
    else if (key === "k") { event.preventDefault(); move(-1); }
    else if (key === "r") { event.preventDefault(); reply(); }
    else if (key === "/") { event.preventDefault(); search(); }
  });

  // Said once per browser, so those who never use a keyboard are not told it again.
  try {
    if (document.querySelector("ol.posts") && !isOff() && !window.localStorage.getItem("fhn:shortcuts-told")) {
      window.localStorage.setItem("fhn:shortcuts-told", "1");
      // Its own polite region: said in the shared announcer, it would replace a live update
      // (a new post, a notification) arriving in the same moment before it was read out.
      window.setTimeout(function () {
        var hint = document.createElement("div");
        hint.className = "visually-hidden";
        hint.setAttribute("aria-live", "polite");
        hint.setAttribute("data-shortcuts-hint", "");
        document.body.appendChild(hint);
        window.setTimeout(function () { hint.textContent = "Keyboard shortcuts are on: press question mark to list them or turn them off."; }, 50);
      }, 1500);
    }
  } catch (e) { /* private mode */ }
})();
