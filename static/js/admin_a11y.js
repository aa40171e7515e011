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

// Tables marked "reflow" stack their rows on a phone (admin.css): each cell is
// labelled with its column's header, which the stacked layout shows before it.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("table.reflow").forEach(function (table) {
    var headers = Array.prototype.map.call(
      table.querySelectorAll("thead th"), function (th) { return th.textContent.trim(); }
    );
    table.querySelectorAll("tbody tr, tfoot tr").forEach(function (row) {
      var column = 0;
      Array.prototype.forEach.call(row.children, function (cell) {
        var span = cell.colSpan || 1;
        if (span === 1 && headers[column] && !cell.hasAttribute("data-label")) {
          cell.setAttribute("data-label", headers[column]);
        }
        column += span;
      });
    });
  });
});
