/* Boucle comments: enhances the static comment form and list; the page works without it.
   No framework and no external request: everything goes to the blog's own /api.
   Short helpers (get, set, add, el) keep the minified file small. */
(function () {
  var doc = document, body = doc.body, api = get(body, "data-api");
  if (!api || !window.fetch) return;

  function get(e, k) { return e.getAttribute(k); }
  function set(e, k, v) { e.setAttribute(k, v); }
  function add(parent, child) { return parent.appendChild(child); }
  function $(sel, root) { return (root || doc).querySelector(sel); }
  function $$(sel, root) { return Array.from((root || doc).querySelectorAll(sel)); }
  function byId(id) { return doc.getElementById(id); }
  function el(tag, cls, text, parent) {
    var e = doc.createElement(tag);
    if (tag == "button") e.type = tag;  // our buttons act in place: none submits the form
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return parent ? add(parent, e) : e;
  }
  function call(method, url, data, headers) {
    headers = headers || {};
    if (data) headers["Content-Type"] = "application/json";
    return fetch(api + url, { method: method, headers: headers, body: data && JSON.stringify(data) })
      .then(function (r) {
        return r.status == 204 ? { ok: 1 } : r.json().then(function (d) { return { ok: r.ok, data: d }; });
      });
  }
  function quiet() {}
  function fail() { say(t.error, 1); }
  function plural(words, n) { return words[n ? n > 1 ? "many" : "one" : "zero"].replace("{n}", n); }

  /* Counts on listing pages, fresher than the last build. */
  var links = $$("[data-count-for]");
  if (links.length) {
    call("GET", "/counts?threads=" + links.map(function (a) { return encodeURIComponent(get(a, "data-count-for")); }).join())
      .then(function (r) {
        var words = JSON.parse(get(body, "data-i18n-counts"));
        links.forEach(function (a) {
          var n = r.data[get(a, "data-count-for")];
          if (n >= 0) a.textContent = plural(words, n);
        });
      }).catch(quiet);
  }

  /* "Copy link" copies the address; without the script (or a clipboard) it stays a plain link to it. */
  if (navigator.clipboard) $$("[data-copied]").forEach(function (a) {
    a.onclick = function () {
      navigator.clipboard.writeText(a.href).then(function () { a.textContent = get(a, "data-copied"); }, quiet);
      return false;
    };
  });

  var box = byId("comments");
  if (!box) return;
  var t = JSON.parse(get(box, "data-i18n")), maxDepth = +get(box, "data-max-depth"),
    base = "/threads/" + encodeURIComponent(get(box, "data-thread")) + "/comments", form = byId("comment-form"),
    fields = form.elements, list = byId("comment-list"), status = byId("form-status"), preview = byId("c-preview"),
    home = form.parentNode, homeNext = form.nextSibling, title = byId("form-title"), titleText = title.textContent,
    own = {}, fmt, timer, tokenReady;
  try { own = JSON.parse(localStorage["boucle-own"] || "{}"); } catch (e) {}
  try { fmt = new Intl.DateTimeFormat(get(box, "data-lang"), { dateStyle: "long", timeStyle: "short", timeZone: get(box, "data-tz") }); } catch (e) {}

  function saveOwn() { try { localStorage["boucle-own"] = JSON.stringify(own); } catch (e) {} }
  function say(text, isError) {
    status.textContent = text;
    status.className = isError ? "notice notice-error" : "notice";
    status.hidden = !text;
  }
  function refused(r) { return !r.ok && !say(r.data.error.message, 1); }
  function count() {
    var n = $$(".comment[data-id]", list).filter(function (c) { return !$(".comment-deleted", c); }).length;
    $("[data-count]", box).textContent = "(" + plural(t, n) + ")";
    (byId("no-comments") || {}).hidden = n > 0;
  }

  /* One comment, built as the theme renders it. */
  function render(c, depth) {
    var li = el("li", "comment-item"), art = el("article", c.team ? "comment comment-team" : "comment", null, li),
      head = el("header", "comment-meta", null, art), who = el("span", "comment-author", c.website ? null : c.author, head),
      when = el("a", "comment-date", null, head), time = el("time", "", fmt ? fmt.format(new Date(c.created_at)) : c.created_at, when),
      text = el("div", "comment-body", null, art), actions = el("p", "comment-actions", null, art), a;
    art.id = "comment-" + c.id;
    art.dataset.id = c.id;
    art.dataset.depth = depth;
    if (c.lang) { art.lang = c.lang; art.dir = c.dir; }
    who.dir = text.dir = "auto";
    // No badge when the name already says it ("Équipe Atlas"), as in the baked page.
    if (c.team && !RegExp(t.team, "i").test(c.author)) who.after(" ", el("span", "badge", t.team));
    if (c.website) {
      a = el("a", "", c.author, who);
      a.href = c.website;
      a.rel = "nofollow ugc";  // no target: noopener would add nothing
    }
    when.href = "#" + art.id;
    when.title = t.permalink;
    time.dateTime = c.created_at;
    text.innerHTML = c.html; /* sanitised by the server's allow-list */
    if (depth < maxDepth) {
      a = el("a", "reply-link", t.reply, actions);
      a.href = api + base + "/" + c.id + "/reply";
      set(a, "data-reply", c.id);
    }
    return li;
  }

  function insert(c) {
    if (byId("comment-" + c.id) || c.deleted) return;
    var parent = c.parent_id && byId("comment-" + c.parent_id), target = list;
    if (parent) {
      target = $(":scope > .comment-replies", parent.parentNode) || el("ol", "comment-replies", null, parent.parentNode);
    }
    add(target, render(c, parent ? +parent.dataset.depth + 1 : 1));
    ownControls(c.id);
  }

  /* Comments approved since the page was built, and a fresh fill-time token for the form. */
  var last = Math.max.apply(0, $$(".comment[data-id]", list).map(function (c) { return +c.dataset.id; }).concat(0));
  call("GET", base + "?after=" + last).then(function (r) { r.data.comments.forEach(insert); count(); }).catch(quiet);
  function fetchToken() {
    return tokenReady = call("GET", "/form-token").then(function (r) { fields.ts.value = r.data.token || ""; })
      .catch(quiet);
  }
  fetchToken();

  function clearErrors() {
    $$(".field-error", form).forEach(function (e) { e.hidden = 1; });
    $$("[aria-invalid]", form).forEach(function (e) { e.removeAttribute("aria-invalid"); });
  }

  form.onsubmit = function (ev) {
    ev.preventDefault();
    clearErrors();
    var data = {}, button = $("[type=submit]", form);
    button.disabled = 1;
    say(t.sending);
    /* Every post carries a fill-time token: one sent before it arrived waits for a fresh one. */
    (fields.ts.value ? tokenReady : fetchToken()).then(function () {
      /* The form's own fields, as the page has them: a ticked box sends its value, an empty field nothing. */
      new FormData(form).forEach(function (v, k) { if (v) data[k] = v; });
      return call("POST", base, data);
    }).then(function (r) {
      var d = r.data, err = d.error, input = err && err.field && fields[err.field], slot = input && byId(input.id + "-error");
      if (slot) {
        say("");
        slot.textContent = err.message;
        slot.hidden = 0;
        set(input, "aria-invalid", "true");
        return input.focus();
      }
      if (err) return say(err.message, 1);
      own[d.id] = { token: d.edit_token, until: d.edit_until, body: data.body };
      saveOwn();
      fields.body.value = "";
      preview.hidden = 1;
      cancelReply();
      if (d.status == "approved") { insert(d); count(); say(t.published); } else say(t.pending);
      status.focus();
    }).catch(fail).then(function () { button.disabled = 0; });
  };

  /* Live preview, rendered by the server exactly as it will be published. */
  fields.body.oninput = function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var text = fields.body.value;
      if (text.trim().length < 2) return preview.hidden = 1;
      call("POST", "/preview", { body: text }).then(function (r) {
        preview.innerHTML = "";
        el("p", "preview-label", t.preview, preview);
        el("div", "", null, preview).innerHTML = r.data.html;
        preview.hidden = !r.ok;
      }).catch(quiet);
    }, 400);
  };

  /* Reply in place: the form moves under the comment. */
  var cancel = el("button", "secondary", t.cancel);
  cancel.onclick = function () { cancelReply(); fields.body.focus(); };
  function cancelReply() {
    fields.parent_id.value = "";
    title.textContent = titleText;
    cancel.remove();
    home.insertBefore(form, homeNext);
  }
  box.onclick = function (ev) {
    var link = ev.target.closest("[data-reply]"), id, art;
    if (!link) return;
    ev.preventDefault();
    id = get(link, "data-reply");
    art = byId("comment-" + id);
    fields.parent_id.value = id;
    title.textContent = t.reply + " — " + $(".comment-author", art).textContent;
    art.after(form);
    add($(".form-actions", form), cancel);
    fields.body.focus();
  };

  /* Edit or delete one's own comment while the window is open. */
  function ownControls(id) {
    var mine = own[id], art = byId("comment-" + id), secret, actions, edit, del;
    if (!mine || !art) return;
    secret = { "X-Edit-Token": mine.token };
    actions = $(".comment-actions", art);
    edit = el("button", "", t.edit, actions);
    del = el("button", "", t["delete"], actions);
    edit.onclick = function () {
      var text = $(".comment-body", art), area = el("textarea"), save = el("button", "", t.save);
      area.value = mine.body;
      area.dir = "auto";
      set(area, "aria-label", t.edit);
      text.hidden = 1;
      art.insertBefore(area, actions);
      actions.prepend(save);
      area.focus();
      save.onclick = function () {
        call("PATCH", base + "/" + id, { body: area.value }, secret).then(function (r) {
          if (refused(r)) return;
          mine.body = area.value;
          saveOwn();
          // An edit of a published comment waits for moderation: its author sees it, readers keep the published one.
          text.innerHTML = r.data.pending_html || r.data.html;
          text.hidden = 0;
          area.remove();
          save.remove();
          if (r.data.status != "approved" || r.data.pending_html) say(t.pending);
        }).catch(fail);
      };
    };
    del.onclick = function () {
      if (!confirm(t.confirmDelete)) return;
      call("DELETE", base + "/" + id, null, secret).then(function (r) {
        if (refused(r)) return;
        delete own[id];
        saveOwn();
        if ($(".comment-replies", art.parentNode)) art.replaceChildren(el("p", "comment-deleted", t.deleted));
        else art.parentNode.remove();
        count();
      }).catch(fail);
    };
  }
  Object.keys(own).forEach(function (id) {
    if (Date.parse(own[id].until) < Date.now()) delete own[id];
    else ownControls(id);
  });
  saveOwn();
})();
