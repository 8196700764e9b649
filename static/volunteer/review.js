// The review keyboard. Loaded only on /volunteer/ pages; everything it does, the forms
// do without it (it posts the same fields to the same views, asking for JSON).
//   j / k   next / previous statement
//   a       publish the current statement
//   r       decline it: picks "Decline" and focuses the reason; Enter there sends it
//   x       mask the selected characters (every occurrence, in the name and the text)
//   Enter   send the whole batch form
(function () {
  "use strict";

  var batch = document.getElementById("batch");
  var rows = batch ? Array.prototype.slice.call(batch.querySelectorAll("article[data-id]")) : [];
  var current = -1;
  var help = document.getElementById("review-keys");
  if (help) {
    help.hidden = false;
  }

  function csrfToken(form) {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function send(url, form, data) {
    return fetch(url, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": csrfToken(form) },
    }).then(function (response) {
      return response.json().then(function (body) {
        return { ok: response.ok, body: body };
      });
    });
  }

  function focusRow(index) {
    if (!rows.length) {
      return;
    }
    index = Math.max(0, Math.min(rows.length - 1, index));
    if (current >= 0 && rows[current]) {
      rows[current].classList.remove("current");
    }
    current = index;
    rows[current].classList.add("current");
    rows[current].focus();
    rows[current].scrollIntoView({ block: "nearest" });
  }

  function settled(row) {
    return row.classList.contains("decided") || row.classList.contains("pending");
  }

  function nextUndecided() {
    for (var i = current + 1; i < rows.length; i++) {
      if (!settled(rows[i])) {
        focusRow(i);
        return;
      }
    }
  }

  function say(row, message, kind) {
    var result = row.querySelector(".result");
    if (result) {
      result.textContent = message;
      result.className = "result " + kind;
    }
  }

  function decideRow(row, choice) {
    // Once per statement: a key pressed again before the answer is back (or on a row
    // already decided) must not send it twice.
    if (settled(row)) {
      return;
    }
    var id = row.getAttribute("data-id");
    var data = new FormData();
    data.append("lease", batch.querySelector("input[name=lease]").value);
    data.append("statement", id);
    data.append(id + "-choice", choice);
    var values = {};
    ["reason", "note", "override"].forEach(function (name) {
      var field = batch.querySelector("[name='" + id + "-" + name + "']");
      if (field) {
        data.append(field.name, field.value);
        values[name] = field.value.trim();
      }
    });
    // What the server will surely refuse (it decides; this only keeps the reviewer here
    // to read why and put it right): a decline without a reason, a flagged statement
    // published without a written reason.
    var refused =
      (choice === "reject" && !values.reason) ||
      (choice === "approve" && row.classList.contains("blocked") && !values.override);
    var radio = batch.querySelector("input[name='" + id + "-choice'][value='" + choice + "']");
    if (radio) {
      radio.checked = true;
    }
    say(row, "…", "pending");
    row.classList.add("pending");
    // Move on at once, not when the answer comes: the next key is for the next statement.
    if (row === rows[current] && !refused) {
      nextUndecided();
    }
    send(batch.action, batch, data)
      .then(function (answer) {
        row.classList.remove("pending");
        var result = (answer.body.results || [])[0] || { outcome: "refused", detail: "" };
        if (result.outcome === "refused") {
          say(row, result.detail, "refused");
          return;
        }
        say(row, row.getAttribute("data-" + result.outcome) || result.outcome, "done");
        row.classList.add("decided", result.outcome);
        // Decided: take it out of the batch form, so sending the form does not resend it.
        var hidden = row.querySelector("input[name=statement]");
        if (hidden) {
          hidden.remove();
        }
        Array.prototype.forEach.call(row.querySelectorAll("fieldset, .mask"), function (part) {
          part.hidden = true;
        });
      })
      .catch(function () {
        row.classList.remove("pending");
        say(row, "?", "refused");
      });
  }

  function showText(element, value) {
    element.textContent = "";
    value.split("\n").forEach(function (line, index) {
      if (index) {
        element.appendChild(document.createElement("br"));
      }
      element.appendChild(document.createTextNode(line));
    });
  }

  function maskSelection() {
    var selection = window.getSelection();
    var characters = selection ? selection.toString() : "";
    if (!characters.trim()) {
      return;
    }
    var node = selection.anchorNode;
    var element = node && (node.nodeType === 1 ? node : node.parentElement);
    var row = element && element.closest("article[data-id]");
    var form = row
      ? document.getElementById("redact-" + row.getAttribute("data-id"))
      : document.querySelector("form.mask");
    if (!form) {
      return;
    }
    var data = new FormData(form);
    data.set("characters", characters);
    send(form.action, form, data).then(function (answer) {
      if (!answer.ok) {
        say(row || form, answer.body.error || "?", "refused");
        return;
      }
      if (!row) {
        // The statement page: reload it, it shows the new text and history.
        window.location.reload();
        return;
      }
      row.querySelector(".name").textContent = answer.body.display_name;
      showText(row.querySelector(".text"), answer.body.text);
      var flags = row.querySelector(".flags");
      flags.textContent = "";
      answer.body.flags.forEach(function (label) {
        var item = document.createElement("li");
        item.textContent = label;
        flags.appendChild(item);
      });
      if (!answer.body.blocked) {
        row.classList.remove("blocked");
      }
      selection.removeAllRanges();
    });
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.isComposing) {
      return;
    }
    var target = event.target;
    var tag = target.tagName;
    if (tag === "SELECT" && event.key === "Enter" && batch && batch.contains(target)) {
      // A reason chosen with the keyboard: decline this statement now.
      var row = target.closest("article[data-id]");
      if (row) {
        event.preventDefault();
        decideRow(row, "reject");
      }
      return;
    }
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || target.isContentEditable) {
      return;
    }
    if (event.key === "x") {
      event.preventDefault();
      maskSelection();
      return;
    }
    if (!rows.length) {
      return;
    }
    var here = rows[current] || null;
    if (event.key === "j") {
      event.preventDefault();
      focusRow(current + 1);
    } else if (event.key === "k") {
      event.preventDefault();
      focusRow(current - 1);
    } else if (event.key === "a" && here) {
      event.preventDefault();
      decideRow(here, "approve");
    } else if (event.key === "r" && here && !settled(here)) {
      event.preventDefault();
      var radio = here.querySelector("input[value=reject]");
      if (radio) {
        radio.checked = true;
      }
      var select = here.querySelector("select");
      if (select) {
        select.focus();
      }
    } else if (event.key === "Enter" && tag !== "BUTTON" && tag !== "A") {
      event.preventDefault();
      batch.requestSubmit();
    }
  });

  if (rows.length) {
    focusRow(0);
  }

  rows.forEach(function (row, index) {
    row.addEventListener("focusin", function () {
      if (current !== index) {
        if (current >= 0 && rows[current]) {
          rows[current].classList.remove("current");
        }
        current = index;
        row.classList.add("current");
      }
    });
  });
})();
