/* The browser keeps the opened link's #anchor but never sends it: put it back on the return address. */
(function () {
  var next = document.getElementById("next");
  if (next && location.hash && next.value.indexOf("#") < 0 && /^#[\w-]{1,100}$/.test(location.hash)) {
    next.value += location.hash;
  }
})();
