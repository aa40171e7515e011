// The "Comment on OP2" buttons beside each paragraph: without a reload, choose
// the paragraph in the comment form and move the focus to its text. Without
// this script the button is a link to the same form, the paragraph chosen.
document.addEventListener("click", function (event) {
  var button = event.target.closest("a.comment-on");
  if (!button) {
    return;
  }
  var form = document.getElementById(button.dataset.form);
  var select = form && form.querySelector("select[name=paragraph]");
  var text = form && form.querySelector("textarea[name=text]");
  if (!select || !text) {
    return;
  }
  event.preventDefault();
  select.value = button.dataset.paragraph;
  select.dispatchEvent(new Event("change", { bubbles: true }));
  form.scrollIntoView({ block: "start" });
  text.focus();
});
