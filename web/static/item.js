// The item page: ticking a candidate fills its amount (the open amount, or what is left of
// the bank line); the running total and the difference to the bank line follow every edit.
// The forms work without this file; it only adds the arithmetic.
(function () {
  function cents(text) {
    const value = parseFloat(String(text || "").replace(/,/g, ""));
    return Number.isFinite(value) ? Math.round(value * 100) : 0;
  }
  function show(cent) { return (cent / 100).toFixed(2); }
  function wire(form, amountsSelector, totalId, target, diffId) {
    if (!form) return;
    const update = () => {
      let sum = 0;
      form.querySelectorAll(amountsSelector).forEach((i) => { sum += cents(i.value); });
      document.getElementById(totalId).value = show(sum);
      if (diffId) {
        const diff = document.getElementById(diffId);
        diff.value = show(target - sum);
        diff.className = target === sum ? "diff-ok" : "diff-off";
      }
      return sum;
    };
    form.addEventListener("input", update);
    form.querySelectorAll("input.pick").forEach((box) => {
      box.addEventListener("change", () => {
        const amount = box.closest("tr").querySelector("input.split-amount");
        if (!box.checked) { amount.value = ""; update(); return; }
        amount.value = "";
        const left = target - update();
        const open = cents(box.dataset.open);
        amount.value = show(Math.max(0, Math.min(open, left)));
        update();
      });
    });
    update();
  }
  const line = document.getElementById("line-amount");
  const target = line ? cents(line.dataset.amount) : 0;
  wire(document.getElementById("split"), ".split-amount", "split-total", target, "split-diff");
  wire(document.getElementById("correct"), ".correct-amount", "correct-total", 0, null);
})();
