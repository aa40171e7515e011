// A strict Content-Security-Policy allows no inline handlers: buttons marked
// data-print open the browser's print dialogue from here instead.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-print]");
  if (button) {
    event.preventDefault();
    window.print();
  }
});
