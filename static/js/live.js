// Live updates over one WebSocket per tab: notifications, the bell, and new posts on an open
// thread. Progressive enhancement: without this script every page still works by reloading.
(function () {
  "use strict";
  if (!("WebSocket" in window) || !window.fetch) { return; }

  var body = document.body;
  var signedIn = body.hasAttribute("data-signed-in");
  var threadEl = document.querySelector(".thread[data-thread-id]");
  if (!signedIn && !threadEl) { return; }

  var announcer = document.querySelector("[data-live-announcer]");
  var bellCount = document.querySelector("[data-bell-count]");
  var postsList = threadEl ? threadEl.querySelector("ol.posts") : null;
  var threadId = threadEl ? parseInt(threadEl.getAttribute("data-thread-id"), 10) : null;
  var lastNumber = threadEl ? parseInt(threadEl.getAttribute("data-last-number") || "0", 10) : 0;
  var onLastPage = threadEl ? threadEl.getAttribute("data-last-page") === "true" : false;
  var storageKey = "fhn:lastNotificationId";
  var heldKey = "fhn:heldNotificationIds";
  var socket = null;
  var retry = 0;
  var pingTimer = null;
  // Notification ids this page has shown: one that comes again (a resume reply racing a live
  // push, a reconnect) is ignored.
  var shown = {};
  var pausedNote = null;

  function lastNotificationId() {
    try { return parseInt(window.sessionStorage.getItem(storageKey) || "0", 10) || 0; } catch (e) { return 0; }
  }
  function rememberNotificationId(id) {
    if (id > lastNotificationId()) {
      try { window.sessionStorage.setItem(storageKey, String(id)); } catch (e) { /* private mode */ }
    }
    var held = heldIds();
    if (held.indexOf(id) === -1) {
      held.push(id);
      // The highest 200: the server then knows this tab holds every id above the lowest listed.
      held.sort(function (a, b) { return a - b; });
      try { window.sessionStorage.setItem(heldKey, JSON.stringify(held.slice(-200))); } catch (e) { /* private mode */ }
    }
  }
  // The highest ids this tab has shown, across its pages: sent on resume so the server fills a
  // hole below the last id (a push lost while Redis was down) and sends nothing twice.
  function heldIds() {
    try { return JSON.parse(window.sessionStorage.getItem(heldKey) || "[]") || []; } catch (e) { return []; }
  }
  function announce(text) {
    if (!announcer) { return; }
    announcer.textContent = "";
    window.setTimeout(function () { announcer.textContent = text; }, 50);
  }
  function setUnread(count) {
    if (bellCount) { bellCount.textContent = String(count); }
    body.setAttribute("data-unread", String(count));
  }

  function fetchPost(postId) {
    return fetch("/p/" + postId + "/fragment/", { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) { return response.ok ? response.text() : null; });
  }
  function nodeFromHtml(html) {
    var template = document.createElement("template");
    template.innerHTML = html.trim();
    return template.content.firstElementChild;
  }
  function postItem(number) { return document.getElementById("post-" + number); }

  // Bring an element on the page up to date with a newly fetched copy, changing only what
  // differs: the nodes a member is on (a focused reaction button, an open <details>, text
  // they selected) stay the same nodes, so keyboard focus and place are kept.
  function sameKind(a, b) {
    if (a.nodeType !== b.nodeType) { return false; }
    if (a.nodeType !== 1) { return true; }
    return a.tagName === b.tagName && (a.id || "") === (b.id || "") &&
      (a.getAttribute("data-kind") || "") === (b.getAttribute("data-kind") || "");
  }
  function morphAttributes(from, to) {
    Array.prototype.slice.call(from.attributes).forEach(function (attr) {
      if (!to.hasAttribute(attr.name) && attr.name !== "open" && attr.name !== "tabindex") { from.removeAttribute(attr.name); }
    });
    Array.prototype.forEach.call(to.attributes, function (attr) {
      if (from.getAttribute(attr.name) !== attr.value) { from.setAttribute(attr.name, attr.value); }
    });
  }
  function morph(from, to) {
    if (from.nodeType !== 1) {
      if (from.nodeValue !== to.nodeValue) { from.nodeValue = to.nodeValue; }
      return;
    }
    morphAttributes(from, to);
    if (from.tagName === "INPUT" && from.type !== "hidden" && from.type !== "file") { return; }
    if (from.tagName === "TEXTAREA") { return; }  // never overwrite what someone is typing
    var oldChildren = Array.prototype.slice.call(from.childNodes);
    var newChildren = Array.prototype.slice.call(to.childNodes);
    var i = 0;
    for (; i < newChildren.length; i++) {
      var incoming = newChildren[i], existing = oldChildren[i];
      if (existing && sameKind(existing, incoming)) {
        morph(existing, incoming);
      } else if (existing) {
        from.replaceChild(incoming, existing);
      } else {
        from.appendChild(incoming);
      }
    }
    for (; i < oldChildren.length; i++) {
      if (oldChildren[i].parentNode === from) { from.removeChild(oldChildren[i]); }
    }
  }

  function showPost(event, isNew) {
    if (!postsList) { return; }
    var existing = postItem(event.number);
    if (!existing && !(isNew && onLastPage)) { return; }
    fetchPost(event.post_id).then(function (html) {
      var current = postItem(event.number);
      if (!html) { if (current) { current.remove(); } return; }
      var node = nodeFromHtml(html);
      if (!node) { return; }
      if (current) { morph(current, node); return; }
      postsList.appendChild(node);
      if (event.number > lastNumber) { lastNumber = event.number; }
      var author = node.querySelector(".author");
      announce("New post by " + (author ? author.textContent.trim() : "a member") + ".");
    });
  }

  function onThreadEvent(event) {
    if (event.thread_id !== threadId) { return; }
    if (event.type === "post.created" || event.type === "post.approved") {
      showPost(event, true);
    } else if (event.type === "post.deleted") {
      var item = postItem(event.number);
      if (item) { showPost(event, false); }
    } else {
      showPost(event, false);
    }
  }

  function unseen(notifications) {
    return notifications.filter(function (n) {
      if (shown[n.id]) { return false; }
      shown[n.id] = true;
      rememberNotificationId(n.id);
      return true;
    });
  }

  // Said once when the connection drops (a Redis or server restart), cleared when it is back.
  function setPaused(paused) {
    if (paused && !pausedNote) {
      pausedNote = document.createElement("p");
      pausedNote.className = "live-paused";
      pausedNote.setAttribute("role", "status");
      pausedNote.textContent = "Live updates are paused. Reconnecting… Reload the page to see new posts now.";
      var main = document.querySelector("main") || body;
      main.insertBefore(pausedNote, main.firstChild);
    } else if (!paused && pausedNote) {
      pausedNote.remove();
      pausedNote = null;
    }
  }

  function addToList(notifications) {
    var list = document.querySelector("[data-live-notifications]");
    notifications.forEach(function (n) {
      rememberNotificationId(n.id);
      if (!list || list.querySelector('[data-notification-id="' + n.id + '"]')) { return; }
      var li = document.createElement("li");
      li.className = "notification unread";
      li.setAttribute("data-notification-id", String(n.id));
      var a = document.createElement("a");
      a.href = "/notifications/" + n.id + "/open/";
      a.textContent = n.text;
      li.appendChild(a);
      list.insertBefore(li, list.firstChild);
    });
  }

  function onMessage(message) {
    switch (message.type) {
      case "notifications":
        var arrived = unseen(message.notifications || []);
        addToList(arrived);
        setUnread(message.unread);
        var fresh = arrived.filter(function (n) { return !n.read; });
        if (fresh.length === 1) { announce(fresh[0].text); }
        else if (fresh.length > 1) { announce(fresh.length + " new notifications."); }
        break;
      case "unread":
        setUnread(message.unread);
        break;
      case "subscribed":
        (message.missed || []).forEach(function (number) {
          if (!postItem(number)) { missedPost(number); }
        });
        break;
      case "unsubscribed":
        announce("This thread is no longer available to you.");
        break;
      default:
        if (message.type && message.type.indexOf("post.") === 0 || message.type && message.type.indexOf("reaction.") === 0) {
          onThreadEvent(message);
        } else if (message.type && message.thread_id === threadId) {
          // Other parts of the page (polls) listen for their own kinds of thread event.
          document.dispatchEvent(new CustomEvent("fhn:thread-event", { detail: message }));
        }
    }
  }

  function missedPost(number) {
    // After a reconnect: posts written while we were away, fetched by their stable URL.
    if (!onLastPage || !postsList) { return; }
    fetch(window.location.pathname.split("?")[0].replace(/\/\d+$/, "") + "?page=" + Math.ceil(number / 20), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (!html) { return; }
        var doc = new DOMParser().parseFromString(html, "text/html");
        var item = doc.getElementById("post-" + number);
        if (item && !postItem(number)) {
          postsList.appendChild(document.importNode(item, true));
          if (number > lastNumber) { lastNumber = number; }
        }
      });
  }

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + window.location.host + "/ws/");
    socket.addEventListener("open", function () {
      retry = 0;
      body.setAttribute("data-live", "connected");
      setPaused(false);
      if (signedIn) {
        // The ids this page holds, so a notification that failed to arrive below the last one
        // (a push lost while Redis was down) is sent on resume and on each ping.
        var seen = heldIds();
        socket.send(JSON.stringify({ type: "resume", after: lastNotificationId(), seen: seen }));
      }
      if (threadId) { socket.send(JSON.stringify({ type: "subscribe", thread: threadId, after_number: lastNumber })); }
      pingTimer = window.setInterval(function () {
        if (socket.readyState === 1) { socket.send(JSON.stringify({ type: "ping" })); }
      }, 30000);  // each ping also catches up anything a Redis restart lost
    });
    socket.addEventListener("message", function (e) {
      try { onMessage(JSON.parse(e.data)); } catch (err) { /* ignore malformed */ }
    });
    socket.addEventListener("close", function () {
      body.setAttribute("data-live", "disconnected");
      // A first quick retry may succeed before anyone notices; say so from the second.
      if (retry >= 1) { setPaused(true); }
      window.clearInterval(pingTimer);
      retry = Math.min(retry + 1, 6);
      window.setTimeout(connect, Math.pow(2, retry) * 500 + Math.random() * 500);
    });
  }

  if (signedIn) {
    // Start from the newest notification this page already knows, so nothing shows twice.
    var ids = Array.prototype.map.call(document.querySelectorAll("[data-notification-id]"), function (el) {
      return parseInt(el.getAttribute("data-notification-id"), 10);
    });
    if (ids.length) { rememberNotificationId(Math.max.apply(null, ids)); }
    ids.forEach(function (id) { shown[id] = true; });
    heldIds().forEach(function (id) { shown[id] = true; });
  }
  connect();
})();
