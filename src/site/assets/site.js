/* Every page of the archive's site: the left and right arrow keys follow the
 * page's "newer" (#prev-link) and "older" (#next-link) links. */
(function () {
  "use strict";
  function typing(el) {
    if (!el || !el.tagName) return false;
    return el.isContentEditable || /^(INPUT|TEXTAREA|SELECT|VIDEO|AUDIO)$/.test(el.tagName);
  }
  document.addEventListener("keydown", function (e) {
    if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return;
    if (typing(e.target)) return;
    var id = e.key === "ArrowLeft" ? "prev-link" : e.key === "ArrowRight" ? "next-link" : null;
    var link = id && document.getElementById(id);
    if (link && link.href) {
      e.preventDefault();
      window.location.href = link.href;
    }
  });
})();
