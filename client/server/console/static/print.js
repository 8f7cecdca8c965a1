// The print button of the officer console: shown only when scripts run,
// it opens the browser's print dialog. Without it, Ctrl+P does the same.
document.addEventListener("DOMContentLoaded", function () {
  var b = document.getElementById("print");
  if (!b) return;
  b.hidden = false;
  b.addEventListener("click", function () { window.print(); });
});
