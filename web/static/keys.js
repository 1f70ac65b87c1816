// Keyboard use of the review queue: j/k move, Enter opens, x selects, / jumps to the filters.
// Plain links and forms work without this file; it only adds shortcuts.
(function () {
  const rows = Array.from(document.querySelectorAll("#queue tbody tr")).filter((r) => r.querySelector("a"));
  let at = -1;
  function mark(n) {
    if (!rows.length) return;
    if (at >= 0) rows[at].classList.remove("current");
    at = Math.max(0, Math.min(rows.length - 1, n));
    rows[at].classList.add("current");
    rows[at].scrollIntoView({ block: "nearest" });
  }
  const all = document.getElementById("all");
  if (all) all.addEventListener("change", () => {
    document.querySelectorAll("#queue input[name=item]").forEach((box) => { box.checked = all.checked; });
  });
  // Saved filters: kept in this browser (localStorage), by a name the clerk gives.
  const saved = document.getElementById("saved-filters");
  const save = document.getElementById("save-filter");
  function listSaved() {
    if (!saved) return;
    const filters = JSON.parse(localStorage.getItem("arbridge.filters") || "{}");
    saved.replaceChildren();
    Object.keys(filters).sort().forEach((name) => {
      const link = document.createElement("a");
      link.className = "pill";
      link.href = "/?" + filters[name];
      link.textContent = name;
      saved.append(link, " ");
    });
  }
  if (save) save.addEventListener("click", () => {
    const name = window.prompt("Name of this filter");
    if (!name) return;
    const filters = JSON.parse(localStorage.getItem("arbridge.filters") || "{}");
    filters[name] = new URLSearchParams(new FormData(document.getElementById("filters"))).toString();
    localStorage.setItem("arbridge.filters", JSON.stringify(filters));
    listSaved();
  });
  listSaved();
  document.addEventListener("keydown", (event) => {
    const typing = ["INPUT", "SELECT", "TEXTAREA"].includes(document.activeElement.tagName);
    if (typing || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === "j") mark(at + 1);
    else if (event.key === "k") mark(at - 1);
    else if (event.key === "Enter" && at >= 0) rows[at].querySelector("a").click();
    else if (event.key === "x" && at >= 0) {
      const box = rows[at].querySelector("input[name=item]");
      if (box) box.checked = !box.checked;
    } else if (event.key === "/") {
      event.preventDefault();
      document.querySelector("#filters input[name=q]").focus();
    } else return;
    event.preventDefault();
  });
})();
