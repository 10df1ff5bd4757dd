export function shuffle<T>(random: () => number, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}

/** Standard Gumbel noise: adding it to log-weights and taking the top k samples k without replacement. */
export function gumbel(random: () => number): number {
  return -Math.log(-Math.log(random() * (1 - 1e-12) + 1e-12));
}
