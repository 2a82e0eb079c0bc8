// The index's family filters: show the entries of one family (or all), keeping the choice in the URL hash.
(function () {
  const buttons = Array.from(document.querySelectorAll("#filters button"));
  const cards = Array.from(document.querySelectorAll("#entries .entry"));
  function show(family) {
    for (const b of buttons) b.classList.toggle("on", b.dataset.family === family);
    for (const c of cards) c.hidden = family !== "" && c.dataset.family !== family;
  }
  for (const b of buttons) b.addEventListener("click", () => { history.replaceState(null, "", b.dataset.family ? "#" + b.dataset.family : "#"); show(b.dataset.family); });
  const start = decodeURIComponent(location.hash.slice(1));
  show(buttons.some(b => b.dataset.family === start) ? start : "");
})();
