/** Maps each item of a stream and each error it throws, preserving laziness. */
export async function* mapStream<T, U>(
  source: AsyncIterable<T>,
  mapItem: (item: T) => U,
  mapError: (err: unknown) => unknown,
): AsyncGenerator<U> {
  try {
    for await (const item of source) yield mapItem(item);
  } catch (err) {
    throw mapError(err);
  }
}
