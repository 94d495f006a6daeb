/** Runs `fn` at most once per `ms`, after the last call of a burst. */
export function debounce(fn, ms) {
  let timer;
  const run = () => {
    clearTimeout(timer);
    timer = setTimeout(fn, ms);
  };
  run.cancel = () => clearTimeout(timer);
  return run;
}
