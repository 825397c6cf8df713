(function () {
  "use strict";
  var slides = Array.prototype.slice.call(document.querySelectorAll(".slide"));
  var progress = document.getElementById("deck-progress");
  var fill = document.getElementById("deck-bar-fill");
  var prev = document.getElementById("deck-prev");
  var next = document.getElementById("deck-next");
  var current = 0;
  function show(index) {
    index = Math.max(0, Math.min(slides.length - 1, index));
    slides.forEach(function (slide, i) {
      var on = i === index;
      slide.classList.toggle("is-current", on);
      if (on) {
        slide.removeAttribute("aria-hidden");
        slide.removeAttribute("inert");
      } else {
        slide.setAttribute("aria-hidden", "true");
        slide.setAttribute("inert", "");
      }
    });
    current = index;
    progress.textContent = (index + 1) + " / " + slides.length;
    fill.style.width = ((index + 1) / slides.length * 100) + "%";
    prev.disabled = index === 0;
    next.disabled = index === slides.length - 1;
    var map = window.CareAtlasExport.maps[slides[index].getAttribute("data-map")];
    if (map) { map.invalidateSize({pan: false}); }
  }
  prev.addEventListener("click", function () { show(current - 1); });
  next.addEventListener("click", function () { show(current + 1); });
  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) { return; }
    var inMap = event.target.closest && event.target.closest(".leaflet-container");
    if (inMap && event.key === "Escape") { inMap.blur(); return; }
    if (inMap && (event.key === "ArrowLeft" || event.key === "ArrowRight")) { return; }
    if (event.key === "ArrowRight" || event.key === "PageDown") {
      show(current + 1);
      event.preventDefault();
    } else if (event.key === "ArrowLeft" || event.key === "PageUp") {
      show(current - 1);
      event.preventDefault();
    } else if (event.key === "Home") {
      show(0);
      event.preventDefault();
    } else if (event.key === "End") {
      show(slides.length - 1);
      event.preventDefault();
    }
  });
  window.CareAtlasExport.show = show;
  show(0);
})();
