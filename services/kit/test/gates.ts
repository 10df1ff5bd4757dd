/** Lets every promise job already due run (no clock involved). */
export const settle = () => new Promise((resolve) => setImmediate(resolve));

/** A promise the test opens when it chooses. */
export function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}
