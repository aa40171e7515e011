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

// The fields of an amendment: "The new paragraph is" only for a new paragraph,
// "Move it after" only for a move. Without this script both show, each saying
// when it applies; the services check them either way.
function showAmendmentFields(form) {
  var kind = form.querySelector("input[name=kind]:checked");
  var value = kind ? kind.value : "";
  var fields = { new_kind: "insert", target: "move" };
  Object.keys(fields).forEach(function (name) {
    var input = form.querySelector("[name=" + name + "]");
    var row = input && input.closest("[id^=div_id_]");
    if (row) {
      row.hidden = value !== fields[name] && !row.querySelector(".invalid-feedback");
    }
  });
}

document.querySelectorAll("form[id^=comment-form-]").forEach(function (form) {
  showAmendmentFields(form);
  form.addEventListener("change", function (event) {
    if (event.target.name === "kind") {
      showAmendmentFields(form);
    }
  });
});
