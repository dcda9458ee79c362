// The marker's page: digits go into the score box, Enter submits (the form does it), and the
// step buttons add or take half points within 0 … full score.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("form.marking-score");
  if (!form) return;
  const box = document.getElementById("marking-score");
  const full = parseFloat(form.dataset.full);
  form.querySelectorAll("button[data-step]").forEach((button) => {
    button.addEventListener("click", () => {
      const now = parseFloat(box.value) || 0;
      const next = Math.min(full, Math.max(0, now + parseFloat(button.dataset.step)));
      box.value = String(next);
      box.focus();
    });
  });
  document.addEventListener("keydown", (event) => {
    if (event.target !== box && /^[0-9.]$/.test(event.key)) {
      box.focus();
    }
  });
});
