/**
 * The elements of a list with a given name, in list order: `list.filter((x)
 * => x.name === name)` from an index made once per list. The passes look a
 * function or binding up by name at every reference, and a scan of the block
 * per lookup made checking quadratic in the number of functions (issue 15:
 * 1,000 functions, each calling a few builtins, cost ~4 million comparisons).
 * Lists of the IR are not changed once built; an index is made again if a
 * list's length changed since, and entries are keyed by the list itself, so a
 * list no longer reachable takes its index with it.
 */
const indexes = new WeakMap<readonly object[], { length: number; byName: Map<string, readonly object[]> }>();
const NONE: readonly never[] = Object.freeze([]);

export function allNamed<T extends { name: string | null }>(list: readonly T[], name: string): readonly T[] {
  let index = indexes.get(list);
  if (!index || index.length !== list.length) {
    const byName = new Map<string, T[]>();
    for (const x of list) {
      if (x.name === null) continue;
      const same = byName.get(x.name);
      if (same) same.push(x);
      else byName.set(x.name, [x]);
    }
    index = { length: list.length, byName };
    indexes.set(list, index);
  }
  return (index.byName.get(name) as readonly T[] | undefined) ?? NONE;
}

/** The first element of `list` named `name` (`list.find((x) => x.name === name)`), by the index above. */
export function firstNamed<T extends { name: string | null }>(list: readonly T[], name: string): T | undefined {
  return allNamed(list, name)[0];
}
