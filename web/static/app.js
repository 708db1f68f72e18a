// canvass: upload progress. A form with data-upload is sent with XMLHttpRequest so that the
// upload's progress can be shown; without this script the form posts as usual and the server
// answers with a page. The answer is read as JSON: the import's summary, or the records at
// fault.
"use strict";
(function () {
  function text(el, s) { el.textContent = s; }
  function cell(tr, s) { var td = document.createElement("td"); td.textContent = s; tr.appendChild(td); return td; }
  document.querySelectorAll("form[data-upload]").forEach(function (form) {
    var bar = form.querySelector("progress");
    var status = form.querySelector("[data-status]");
    var report = form.querySelector("[data-report]");
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var data = new FormData(form);
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.getAttribute("action"));
      xhr.setRequestHeader("Accept", "application/json");
      var csrf = form.querySelector("input[name=csrf]");
      if (csrf) { xhr.setRequestHeader("X-CSRF-Token", csrf.value); }
      report.replaceChildren();
      bar.hidden = false;
      bar.value = 0;
      text(status, "Uploading…");
      xhr.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) {
          bar.max = e.total;
          bar.value = e.loaded;
          text(status, "Uploading: " + Math.floor(100 * e.loaded / e.total) + "%");
        }
      });
      xhr.upload.addEventListener("load", function () {
        bar.removeAttribute("value");
        text(status, "Uploaded. Checking and importing every record (a large file takes minutes)…");
      });
      xhr.addEventListener("load", function () {
        bar.hidden = true;
        var body;
        try { body = JSON.parse(xhr.responseText); } catch (e) { body = { error: xhr.statusText }; }
        if (xhr.status >= 200 && xhr.status < 300) {
          var f = body.file || {};
          var what = f.name ? f.name + ": " + (f.records || 0).toLocaleString() + " records imported (ledger entry " + f.entry + ")" : "Imported.";
          text(status, what);
          return;
        }
        text(status, "Nothing was imported: " + (body.error || xhr.statusText));
        if (body.problems && body.problems.length) {
          var t = document.createElement("table");
          var cap = document.createElement("caption");
          cap.textContent = "The record at fault";
          t.appendChild(cap);
          var h = document.createElement("tr");
          ["File", "Record", "Line", "Field", "Problem"].forEach(function (s) { var th = document.createElement("th"); th.scope = "col"; th.textContent = s; h.appendChild(th); });
          t.appendChild(h);
          body.problems.forEach(function (p) {
            var tr = document.createElement("tr");
            cell(tr, p.file || ""); cell(tr, p.record || ""); cell(tr, p.line || ""); cell(tr, p.field || ""); cell(tr, p.message || "");
            t.appendChild(tr);
          });
          report.appendChild(t);
        }
      });
      xhr.addEventListener("error", function () {
        bar.hidden = true;
        text(status, "The upload failed (the connection was lost). Nothing was imported; try again.");
      });
      xhr.send(data);
    });
  });
})();
