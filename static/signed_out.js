// Front-channel logout: the applications' sign-out pages load in the hidden frames. Once each
// has loaded, or after three seconds whatever happened, go on to the application that asked.
// Without JavaScript the "Continue" link does the same.
(() => {
  const next = document.getElementById("continue");
  if (!next) return;
  const frames = Array.from(document.querySelectorAll("iframe.frontchannel"));
  let waiting = frames.length;
  let gone = false;
  const go = () => {
    if (gone) return;
    gone = true;
    window.location.assign(next.href);
  };
  frames.forEach((frame) =>
    frame.addEventListener("load", () => {
      waiting -= 1;
      if (waiting <= 0) go();
    }),
  );
  setTimeout(go, 3000);
})();
