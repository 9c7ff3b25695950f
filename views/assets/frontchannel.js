// Front-channel logout: the signed-out page goes on to where the sign-out leads once it and every
// app's logout frame have loaded (the window's load event waits for the frames), or after five
// seconds if an app is slow. Without JavaScript, the Continue link does the same.
(() => {
  const next = document.getElementById('continue');
  if (!next) return;
  let gone = false;
  const go = () => {
    if (gone) return;
    gone = true;
    window.location.replace(next.href);
  };
  if (document.readyState === 'complete') go();
  else window.addEventListener('load', go);
  window.setTimeout(go, 5000);
})();
