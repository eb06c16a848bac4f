// The composer, as progressive enhancement over the plain forms (which post, preview and save
// drafts without this script): a Markdown toolbar, preview in place through the one preview
// endpoint, drafts kept in this browser and on the server (forms that keep drafts), @member
// and #tag suggestions, and images (or PDFs) by paste or drag and drop, uploaded at once and
// shown in the text where the cursor was, as Discourse does. Without this script the form's
// own file input attaches files.
(function () {
  "use strict";
  if (!window.fetch || !window.FormData) { return; }

  var PREVIEW_URL = "/compose/preview/";
  var DRAFT_URL = "/compose/draft/";
  var COMPLETE_URL = "/compose/complete/";
  var UPLOAD_URL = "/compose/upload/";
  var LOCAL_SAVE_MS = 400;
  var SERVER_SAVE_MS = 4000;
  var uid = 0;

  function csrf(form) {
    var input = form.querySelector('input[name="csrfmiddlewaretoken"]');
    return input ? input.value : "";
  }
  function say(text) {
    var announcer = document.querySelector("[data-live-announcer]");
    if (!announcer) { return; }
    announcer.textContent = "";
    window.setTimeout(function () { announcer.textContent = text; }, 50);
  }
  function storageGet(key) { try { return window.localStorage.getItem(key); } catch (e) { return null; } }
  function storageSet(key, value) { try { window.localStorage.setItem(key, value); } catch (e) { /* private mode */ } }
  function storageRemove(key) { try { window.localStorage.removeItem(key); } catch (e) { /* private mode */ } }

  function post(form, url, extra) {
    var data = new FormData(form);
    data.delete("attachments");  // a preview or a draft never uploads files
    if (extra) { Object.keys(extra).forEach(function (k) { data.set(k, extra[k]); }); }
    return fetch(url, {
      method: "POST", body: data, credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": csrf(form) }
    }).then(function (response) {
      return response.json().catch(function () { return { errors: ["Something went wrong. Try again."] }; })
        .then(function (body) { body.status = response.status; return body; });
    });
  }

  function setup(form) {
    var textarea = form.querySelector('textarea[name="source"]');
    if (!textarea) { return; }
    var title = form.querySelector('input[name="title"]');
    var key = "fhn:draft:" + (form.getAttribute("data-draft-key") || window.location.pathname);
    var status = document.createElement("p");
    status.className = "draft-status";
    status.setAttribute("role", "status");
    textarea.parentNode.insertBefore(status, textarea.nextSibling);

    addToolbar(form, textarea);
    // Forms with drafts offer Save draft (replies, new threads); an edit keeps none.
    if (form.querySelector("[data-composer-save]")) { keepDrafts(form, textarea, title, key, status); }
    addPreview(form, textarea);
    addCompletion(textarea);
    addUploads(form, textarea, status);
  }

  // ---- the toolbar ----------------------------------------------------------------------
  var TOOLS = [
    { label: "Bold", text: "B", before: "**", after: "**", empty: "bold text" },
    { label: "Italic", text: "I", before: "_", after: "_", empty: "italic text" },
    { label: "Link", text: "Link", before: "[", after: "](https://)", empty: "link text" },
    { label: "Quote", text: "\u201C", line: "> " },
    { label: "Bulleted list", text: "\u2022", line: "- " },
    { label: "Numbered list", text: "1.", line: "1. " },
    { label: "Code", text: "</>", before: "`", after: "`", empty: "code" }
  ];

  function addToolbar(form, textarea) {
    var bar = document.createElement("div");
    bar.className = "composer-toolbar";
    bar.setAttribute("role", "group");
    bar.setAttribute("aria-label", "Formatting");
    TOOLS.forEach(function (tool) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = tool.text;
      button.setAttribute("aria-label", tool.label);
      button.title = tool.label;
      button.addEventListener("click", function () { apply(textarea, tool); });
      bar.appendChild(button);
    });
    textarea.parentNode.insertBefore(bar, textarea);
  }

  function apply(textarea, tool) {
    var start = textarea.selectionStart, end = textarea.selectionEnd, value = textarea.value;
    var chosen = value.slice(start, end), text, selStart, selEnd;
    if (tool.line) {
      var lineStart = value.lastIndexOf("\n", start - 1) + 1;
      var block = value.slice(lineStart, end);
      text = block.split("\n").map(function (l) { return tool.line + l; }).join("\n");
      textarea.setRangeText(text, lineStart, end, "end");
    } else {
      var inner = chosen || tool.empty;
      text = tool.before + inner + tool.after;
      textarea.setRangeText(text, start, end, "select");
      selStart = start + tool.before.length;
      selEnd = selStart + inner.length;
      textarea.setSelectionRange(selStart, selEnd);
    }
    textarea.focus();
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
  }

  // ---- drafts -----------------------------------------------------------------------------
  function keepDrafts(form, textarea, title, key, status) {
    var saved = null;
    try { saved = JSON.parse(storageGet(key) || "null"); } catch (e) { saved = null; }
    if (saved && saved.source && !textarea.value.trim()) {
      textarea.value = saved.source;
      if (title && saved.title && !title.value) { title.value = saved.title; }
      status.textContent = "Your unsent text was restored from this browser.";
    }
    var localTimer = null, serverTimer = null, lastSent = textarea.value;
    function saveLocal() {
      if (textarea.value.trim() || (title && title.value.trim())) {
        storageSet(key, JSON.stringify({ source: textarea.value, title: title ? title.value : "", at: Date.now() }));
      } else {
        storageRemove(key);
      }
    }
    function saveServer() {
      if (textarea.value === lastSent) { return; }
      var sending = textarea.value;
      post(form, DRAFT_URL).then(function (body) {
        if (body.status === 200) {
          lastSent = sending;
          status.textContent = body.saved ? "Draft saved." : "";
        }
      }).catch(function () { /* kept in this browser; the server copy waits for the next change */ });
    }
    function changed() {
      window.clearTimeout(localTimer);
      localTimer = window.setTimeout(saveLocal, LOCAL_SAVE_MS);
      window.clearTimeout(serverTimer);
      serverTimer = window.setTimeout(saveServer, SERVER_SAVE_MS);
    }
    textarea.addEventListener("input", changed);
    if (title) { title.addEventListener("input", changed); }
    window.addEventListener("pagehide", saveLocal);
    var saveButton = form.querySelector("[data-composer-save]");
    if (saveButton) {
      saveButton.addEventListener("click", function (event) {
        event.preventDefault();
        saveLocal();
        post(form, DRAFT_URL).then(function (body) {
          if (body.status === 200) { lastSent = textarea.value; status.textContent = body.saved ? "Draft saved." : "Draft removed."; }
          else { status.textContent = (body.errors || ["Your draft could not be saved. It is kept in this browser."]).join(" "); }
        });
      });
    }
    form.addEventListener("submit", function (event) {
      var submitter = event.submitter;
      // Posting: the page that comes back either shows the post or re-shows this text with the
      // error, so this browser's copy is no longer needed.
      if (!submitter || !submitter.hasAttribute("formaction")) { storageRemove(key); }
    });
  }

  // ---- preview ----------------------------------------------------------------------------
  function addPreview(form, textarea) {
    var button = form.querySelector("[data-composer-preview]");
    if (!button) { return; }
    var panel = document.querySelector("[data-preview-panel]");
    if (!panel) {
      panel = document.createElement("section");
      panel.className = "composer-preview";
      panel.setAttribute("data-preview-panel", "");
      panel.hidden = true;
      var id = "preview-heading-" + (++uid);
      panel.setAttribute("aria-labelledby", id);
      panel.innerHTML = '<h2 id="' + id + '" tabindex="-1">Preview</h2><div class="preview-errors" data-preview-errors role="alert"></div><div class="post-body" data-preview-body></div>';
      form.parentNode.insertBefore(panel, form);
    }
    var heading = panel.querySelector("h2");
    var errors = panel.querySelector("[data-preview-errors]");
    var body = panel.querySelector("[data-preview-body]");
    button.addEventListener("click", function (event) {
      event.preventDefault();
      button.disabled = true;
      post(form, PREVIEW_URL).then(function (answer) {
        panel.hidden = false;
        errors.innerHTML = "";
        if (answer.errors && answer.errors.length) {
          var list = document.createElement("ul");
          answer.errors.forEach(function (e) { var li = document.createElement("li"); li.textContent = e; list.appendChild(li); });
          errors.appendChild(list);
          body.innerHTML = "";
        } else {
          // Sanitised by the server with the same code that renders posts.
          body.innerHTML = answer.html || "";
        }
        heading.focus();
      }).catch(function () {
        panel.hidden = false;
        errors.textContent = "The preview could not be loaded. Your text is kept.";
      }).then(function () { button.disabled = false; });
    });
  }

  // ---- @member and #tag suggestions ------------------------------------------------------
  function addCompletion(textarea) {
    var list = document.createElement("ul");
    var listId = "composer-suggestions-" + (++uid);
    list.id = listId;
    list.className = "composer-suggestions";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "Suggestions");
    list.hidden = true;
    textarea.parentNode.insertBefore(list, textarea.nextSibling);
    textarea.setAttribute("aria-autocomplete", "list");
    textarea.setAttribute("aria-controls", listId);
    var items = [], active = -1, token = null, timer = null, asked = 0;

    function close() {
      list.hidden = true; list.innerHTML = ""; items = []; active = -1; token = null;
      textarea.removeAttribute("aria-activedescendant");
    }
    function highlight(index) {
      items.forEach(function (li, i) { li.setAttribute("aria-selected", i === index ? "true" : "false"); });
      active = index;
      if (index >= 0) { textarea.setAttribute("aria-activedescendant", items[index].id); }
    }
    function choose(index) {
      if (!token || index < 0 || !items[index]) { return; }
      var value = items[index].getAttribute("data-value");
      textarea.setRangeText(token.sigil + value + " ", token.start, textarea.selectionStart, "end");
      close();
      textarea.dispatchEvent(new Event("input", { bubbles: true }));
    }
    function current() {
      var before = textarea.value.slice(0, textarea.selectionStart);
      var match = /(^|[\s(])([@#])([A-Za-z0-9_.-]{1,30})$/.exec(before);
      if (!match) { return null; }
      return { sigil: match[2], q: match[3], start: before.length - match[3].length - 1 };
    }
    function lookUp() {
      var found = current();
      if (!found) { close(); return; }
      var ask = ++asked;
      var url = COMPLETE_URL + "?kind=" + (found.sigil === "@" ? "member" : "tag") + "&q=" + encodeURIComponent(found.q);
      fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { results: [] }; })
        .then(function (answer) {
          if (ask !== asked) { return; }
          var results = answer.results || [];
          if (!results.length) { close(); return; }
          token = found;
          list.innerHTML = "";
          items = results.map(function (result, i) {
            var li = document.createElement("li");
            li.id = listId + "-" + i;
            li.setAttribute("role", "option");
            li.setAttribute("data-value", result.value);
            li.textContent = result.label;
            li.addEventListener("mousedown", function (e) { e.preventDefault(); choose(i); });
            list.appendChild(li);
            return li;
          });
          list.hidden = false;
          highlight(0);
          say(results.length + (results.length === 1 ? " suggestion" : " suggestions") +
            ": up and down arrows to choose, Enter to use, Escape to close.");
        })
        .catch(close);
    }
    textarea.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(lookUp, 150);
    });
    textarea.addEventListener("keydown", function (event) {
      if (list.hidden) { return; }
      if (event.key === "ArrowDown") { event.preventDefault(); highlight((active + 1) % items.length); }
      else if (event.key === "ArrowUp") { event.preventDefault(); highlight((active - 1 + items.length) % items.length); }
      else if (event.key === "Enter" || event.key === "Tab") { if (active >= 0) { event.preventDefault(); choose(active); } }
      else if (event.key === "Escape") { event.preventDefault(); close(); }
    });
    textarea.addEventListener("blur", function () { window.setTimeout(close, 150); });
  }

  // ---- images by paste and drag and drop ---------------------------------------------------
  // Each file is uploaded at once: a placeholder goes in where the cursor was and is replaced by
  // the Markdown the server answers (![name](upload://12.png)), or taken out with the reason
  // the file was refused. Posting waits until every upload has finished.
  function addUploads(form, textarea, status) {
    var pending = 0;
    var error = document.createElement("p");
    error.className = "composer-error";
    error.setAttribute("role", "alert");
    error.hidden = true;
    status.parentNode.insertBefore(error, status.nextSibling);

    function showError(text) { error.textContent = text; error.hidden = false; }
    function replacePlaceholder(placeholder, text) {
      var at = textarea.value.indexOf(placeholder);
      if (at === -1) { return; }  // the member deleted it: they no longer want the file
      var end = at + placeholder.length, caret = textarea.selectionStart;
      textarea.setRangeText(text, at, end, caret >= end ? "end" : "preserve");
      if (caret >= end) {
        var moved = caret + text.length - placeholder.length;
        textarea.setSelectionRange(moved, moved);
      }
      textarea.dispatchEvent(new Event("input", { bubbles: true }));
    }
    function takeOut(inserted, placeholder) {
      // The text as it was before the paste, unless the member has changed what surrounds it.
      if (textarea.value.indexOf(inserted) !== -1) { replacePlaceholder(inserted, ""); }
      else { replacePlaceholder(placeholder, ""); }
    }
    function upload(file) {
      var id = ++uid;
      var name = (file.name || "image.png").replace(/[\[\]|\n]/g, "");
      var placeholder = "![Uploading " + name + "\u2026](uploading-" + id + ")";
      var start = textarea.selectionStart, end = textarea.selectionEnd;
      var before = textarea.value.slice(0, start);
      var gap = before && !/\n$/.test(before) ? "\n" : "";
      var inserted = gap + placeholder + "\n";
      textarea.setRangeText(inserted, start, end, "end");
      pending += 1;
      error.hidden = true;
      status.textContent = "Uploading " + name + "\u2026";
      var data = new FormData();
      data.append("file", file, file.name || "image.png");
      fetch(UPLOAD_URL, {
        method: "POST", body: data, credentials: "same-origin",
        headers: { "Accept": "application/json", "X-CSRFToken": csrf(form) }
      }).then(function (response) {
        return response.json().catch(function () {
          return { errors: [response.status === 413 ? name + " is too large." : "The upload failed. Try again."] };
        }).then(function (body) { body.status = response.status; return body; });
      }).then(function (body) {
        if (body.status === 200 && body.markdown) {
          replacePlaceholder(placeholder, body.markdown);
          status.textContent = body.kind === "image"
            ? name + " is in your post. Describe the picture between the square brackets for people who cannot see it."
            : name + " is linked in your post.";
        } else {
          takeOut(inserted, placeholder);
          status.textContent = "";
          showError(name + " was not added: " + (body.errors || ["the upload failed."]).join(" "));
        }
      }).catch(function () {
        takeOut(inserted, placeholder);
        status.textContent = "";
        showError(name + " was not added: the upload failed. Check your connection and try again.");
      }).then(function () { pending -= 1; });
    }
    function addFiles(files) {
      if (!files || !files.length) { return false; }
      Array.prototype.forEach.call(files, upload);
      return true;
    }
    textarea.addEventListener("paste", function (event) {
      var files = event.clipboardData && event.clipboardData.files;
      if (files && files.length) { event.preventDefault(); addFiles(files); }
    });
    ["dragenter", "dragover"].forEach(function (type) {
      textarea.addEventListener(type, function (event) {
        if (event.dataTransfer && Array.prototype.indexOf.call(event.dataTransfer.types, "Files") !== -1) {
          event.preventDefault();
          form.classList.add("is-dragging");
        }
      });
    });
    ["dragleave", "drop"].forEach(function (type) {
      textarea.addEventListener(type, function () { form.classList.remove("is-dragging"); });
    });
    textarea.addEventListener("drop", function (event) {
      var files = event.dataTransfer && event.dataTransfer.files;
      if (files && files.length) { event.preventDefault(); textarea.focus(); addFiles(files); }
    });
    form.addEventListener("submit", function (event) {
      if (pending > 0) {
        event.preventDefault();
        showError("Wait a moment: a file is still uploading.");
      }
    });
  }

  // ---- quote what is selected (the thread page) -------------------------------------------
  // As Discourse: select words in a post and a Quote button appears; it puts them in the reply
  // box as [quote="name, post:N, topic:T"]. The page names the quoted post's author for each
  // reader when it shows the reply (forum.selectors.attribute_quotes), so the name here is
  // only a label. Keyboard and no-script readers have each post's own Quote link.
  function addSelectionQuote() {
    var thread = document.querySelector("article.thread[data-thread-id]");
    var form = document.querySelector(".reply-box form[data-composer]");
    var textarea = form && form.querySelector('textarea[name="source"]');
    if (!thread || !textarea || !window.getSelection) { return; }
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button quote-selection";
    button.textContent = "Quote";
    button.setAttribute("aria-label", "Quote the selected words");
    button.hidden = true;
    document.body.appendChild(button);
    var chosen = null, timer = null;
    function hide() { button.hidden = true; chosen = null; }
    function update() {
      var selection = window.getSelection();
      if (!selection || selection.isCollapsed || !selection.rangeCount) { hide(); return; }
      var range = selection.getRangeAt(0);
      var node = range.commonAncestorContainer;
      var element = node.nodeType === 1 ? node : node.parentElement;
      var body = element && element.closest(".post-body");
      var item = body && body.closest("li.post[id^='post-']");
      var text = selection.toString().trim();
      if (!item || !text) { hide(); return; }
      var author = item.querySelector(".author");
      chosen = { number: item.id.slice(5), text: text, name: author ? author.textContent.trim() : "" };
      var rect = range.getBoundingClientRect();
      var width = document.documentElement.clientWidth;
      button.style.top = (window.scrollY + rect.bottom + 8) + "px";
      button.style.left = Math.max(8, Math.min(window.scrollX + rect.left, width - 110)) + "px";
      button.hidden = false;
    }
    document.addEventListener("selectionchange", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(update, 120);
    });
    button.addEventListener("mousedown", function (event) { event.preventDefault(); });  // keep the selection
    button.addEventListener("click", function () {
      if (!chosen) { return; }
      var name = chosen.name.replace(/[,"\[\]\n]/g, "").trim() || "member";
      var quote = '[quote="' + name + ", post:" + chosen.number + ", topic:" +
        thread.getAttribute("data-thread-id") + '"]\n' + chosen.text + "\n[/quote]\n\n";
      var at = textarea.selectionEnd, before = textarea.value.slice(0, at);
      var gap = !before ? "" : /\n\n$/.test(before) ? "" : /\n$/.test(before) ? "\n" : "\n\n";
      textarea.setRangeText(gap + quote, at, textarea.selectionEnd, "end");
      hide();
      textarea.focus();
      textarea.dispatchEvent(new Event("input", { bubbles: true }));
      say("Quote added to your reply.");
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("form[data-composer]"), setup);
  addSelectionQuote();
})();
