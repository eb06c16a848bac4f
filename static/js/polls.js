// Polls, enhanced: vote without leaving the page, and see counts change as others vote.
// Without this script every poll is a plain form that posts and comes back to the thread.
(function () {
  "use strict";
  if (!window.fetch || !window.CustomEvent) { return; }

  function widgetFor(postId, name) {
    return document.querySelector('[data-poll-widget][data-post-id="' + postId + '"][data-poll-name="' + name + '"]');
  }
  function nodeFromHtml(html) {
    var template = document.createElement("template");
    template.innerHTML = html.trim();
    return template.content.firstElementChild;
  }
  function refresh(widget) {
    var url = "/polls/" + widget.getAttribute("data-post-id") + "/" + encodeURIComponent(widget.getAttribute("data-poll-name")) + "/widget/";
    return fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        var node = html && nodeFromHtml(html);
        if (node) { widget.replaceWith(node); }
      });
  }

  // Voting through fetch: the server answers with this member's updated poll.
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form.matches || !form.matches("[data-poll-form]")) { return; }
    e.preventDefault();
    var data = new FormData(form);
    if (e.submitter && e.submitter.name) { data.append(e.submitter.name, e.submitter.value); }
    fetch(form.action, { method: "POST", body: data, credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (r) {
        if (r.status === 200) { return r.text(); }
        form.submit();  // an error: let the page-based flow show it in full
        return null;
      })
      .then(function (html) {
        var node = html && nodeFromHtml(html);
        var widget = form.closest("[data-poll-widget]");
        if (node && widget) {
          widget.replaceWith(node);
          var announcer = document.querySelector("[data-live-announcer]");
          if (announcer) { announcer.textContent = "Your vote was counted."; }
        }
      });
  });

  // Live: counts arrive over the thread's socket (see live.js); nothing but numbers.
  document.addEventListener("fhn:thread-event", function (e) {
    var event = e.detail || {};
    if (event.type !== "poll.voted" && event.type !== "poll.status") { return; }
    var widget = widgetFor(event.post_id, event.name);
    if (!widget) { return; }
    if (event.type === "poll.status" || widget.getAttribute("data-poll-status") !== event.status) {
      refresh(widget);
      return;
    }
    var voters = widget.querySelector("[data-poll-voters]");
    if (voters) { voters.textContent = String(event.voters); }
    if (!event.counts || !widget.hasAttribute("data-results-shown")) { return; }
    var total = 0;
    Object.keys(event.counts).forEach(function (k) { total += event.counts[k]; });
    Object.keys(event.counts).forEach(function (optionId) {
      var row = widget.querySelector('[data-option-id="' + optionId + '"]');
      if (!row) { return; }
      var n = event.counts[optionId];
      var percent = total ? Math.round(100 * n / total) : 0;
      var count = row.querySelector("[data-poll-count]");
      var pct = row.querySelector("[data-poll-percent]");
      var bar = row.querySelector("[data-poll-bar]");
      if (count) { count.textContent = String(n); }
      if (pct) { pct.textContent = String(percent); }
      if (bar) { bar.value = percent; }
    });
  });

  // A post replaced live (an edit) comes back with its polls as plain lists: fill them in.
  var posts = document.querySelector("ol.posts");
  if (posts && window.MutationObserver) {
    new MutationObserver(function () {
      Array.prototype.forEach.call(posts.querySelectorAll(".post-body .poll[data-poll-name]"), function (plain) {
        var item = plain.closest("[data-post-id]");
        if (!item) { return; }
        var stub = document.createElement("div");
        stub.setAttribute("data-poll-widget", "");
        stub.setAttribute("data-post-id", item.getAttribute("data-post-id"));
        stub.setAttribute("data-poll-name", plain.getAttribute("data-poll-name"));
        plain.replaceWith(stub);
        refresh(stub);
      });
    }).observe(posts, { childList: true });
  }
})();
