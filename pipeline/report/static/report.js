// The review report's behaviour: charts drawn when they scroll into view (Vega, vendored), and
// on a source page the mention panel and the label switches. Source text never passes through
// innerHTML: the panel is filled with textContent only.
"use strict";

let chartTemplates = null;

// A figure holds its template's name, its data and its height; the page holds the templates
// (Vega-Lite specifications made with altair) once.
function drawChart(figure) {
  if (figure.dataset.rendered || typeof window.vegaEmbed !== "function") return;
  figure.dataset.rendered = "pending";
  if (chartTemplates === null) chartTemplates = JSON.parse(document.getElementById("chart-templates").textContent);
  const chart = JSON.parse(figure.querySelector('script[type="application/json"]').textContent);
  const spec = Object.assign({}, chartTemplates[chart.template], { data: { values: chart.values }, height: chart.height });
  // ast: expressions are interpreted, not compiled with Function(): the pages' Content-Security-Policy allows no eval
  window.vegaEmbed(figure.querySelector(".chart-view"), spec, { renderer: "svg", actions: false, ast: true })
    .then(function () { figure.dataset.rendered = "true"; })
    .catch(function (error) { figure.dataset.rendered = "failed"; console.error(error); });
}

function setUpCharts() {
  const figures = document.querySelectorAll("figure.chart");
  if (!figures.length) return;
  if (!("IntersectionObserver" in window)) { figures.forEach(drawChart); return; }
  const observer = new IntersectionObserver(function (entries) {
    entries.forEach(function (entry) {
      if (entry.isIntersecting) { observer.unobserve(entry.target); drawChart(entry.target); }
    });
  }, { rootMargin: "400px 0px" });
  figures.forEach(function (figure) { observer.observe(figure); });
}

let mentionData = null;

function showMention(mark) {
  const fields = document.getElementById("panel-fields");
  if (!fields) return;
  if (mentionData === null) mentionData = JSON.parse(document.getElementById("mention-data").textContent);
  const id = mark.dataset.mentionId;
  const row = {};
  (mentionData.rows[id] || []).forEach(function (ref, i) { row[mentionData.fields[i]] = mentionData.values[ref]; });
  let text = "";
  document.querySelectorAll("mark.m.selected").forEach(function (m) { m.classList.remove("selected"); });
  // a mention crossing another is split in parts: its text is its parts, in order
  document.querySelectorAll("mark.m").forEach(function (m) {
    if (m.dataset.mentionId !== id) return;
    m.classList.add("selected");
    text += m.textContent;
  });
  const yesNo = function (value) { return value ? "yes" : "no"; };
  const values = {
    text: text, label: row.label, conceptName: row.concept_name || "—", conceptId: row.concept_id,
    role: row.role || "—", dose: row.dose || "—", negated: yesNo(row.negated), uncertain: yesNo(row.uncertain),
    substance: row.substance || "—", substanceId: row.substance_id, section: row.section || "—",
    method: row.method, mentionId: id
  };
  fields.querySelectorAll("[data-field]").forEach(function (el) { el.textContent = values[el.dataset.field] || ""; });
  fields.hidden = false;
  document.getElementById("panel-hint").hidden = true;
}

function setUpSource() {
  const text = document.getElementById("text");
  if (!text) return;
  function pick(event) {
    const mark = event.target.closest("mark.m");
    if (mark) showMention(mark);
  }
  text.addEventListener("click", pick);
  text.addEventListener("focusin", pick);
  const legend = document.getElementById("legend");
  if (legend) {
    legend.addEventListener("change", function (event) {
      const key = event.target.dataset.hide;
      if (key) text.classList.toggle("hide-" + key, !event.target.checked);
    });
  }
  const target = location.hash ? document.getElementById(decodeURIComponent(location.hash.slice(1))) : null;
  if (target && target.matches("mark.m")) showMention(target);
}

document.addEventListener("DOMContentLoaded", function () {
  setUpCharts();
  setUpSource();
});
