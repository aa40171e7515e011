// Django's two-box selector (SelectFilter2.js) names its search icon with
// aria-label on a bare span, which has no role that takes a name (axe-core
// aria-prohibited-attr): give it role="img" once the widgets are built.
window.addEventListener("load", function () {
  window.setTimeout(function () {
    document.querySelectorAll("span.search-label-icon[aria-label]").forEach(function (icon) {
      icon.setAttribute("role", "img");
    });
  }, 0);
});
