// Memoizes a reading of the machine for a short while, by key: files taken in a row share one reading of
// what changes slowly (the mount table, the memory budget) instead of parsing it again for every file.

/** How long a reading stands: short enough that a mount or a memory squeeze is seen by the next files. */
export const FRESH_MS = 1000;

export function freshFor<K, V>(ms: number, read: (key: K) => V): (key: K) => V {
  const held = new Map<K, { value: V; at: number }>();
  return (key: K) => {
    const now = performance.now();
    const hit = held.get(key);
    if (hit && now - hit.at < ms) return hit.value;
    const value = read(key);
    held.set(key, { value, at: now });
    return value;
  };
}
