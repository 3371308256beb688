// The queue's "select every report on this page" box: ticks or clears each row's box.
// A script file, not inline code: the Content Security Policy allows scripts from 'self' only.
document.addEventListener("DOMContentLoaded", () => {
  const all = document.getElementById("select-page");
  if (!all) return;
  const boxes = () => document.querySelectorAll("input[name=report_ids]");
  all.hidden = false;
  all.addEventListener("change", () => boxes().forEach((box) => { box.checked = all.checked; }));
});
