/**
 * Records and maps keyed by names that come from data or from a pipeline file, column names above
 * all. A column may be called anything, `constructor`, `toString` and `__proto__` included, and a
 * plain object inherits those from Object.prototype: `obj[name]` finds the inherited function when
 * the object has no such key, `name in obj` is true, and `obj["__proto__"] = v` replaces the
 * object's prototype instead of setting a key. Every lookup, test and write keyed by such a name
 * goes through here (or through a Map, or an object made by `ownMap`).
 *
 * Records stay plain objects (a null-prototype object is a slow dictionary in V8, and JSON.parse
 * makes plain ones); copies of them must keep own keys: spread and Object.fromEntries do
 * (CreateDataProperty), `Object.assign` and `out[key] = v` do not for `__proto__`.
 */

/** True for names a plain object inherits (`constructor`, `toString`, `__proto__`, …). */
export function isInheritedName(name: string): boolean {
  return name in Object.prototype;
}

/** True when `map` has `key` as its own key. */
export function hasOwnKey(map: object, key: string): boolean {
  return Object.hasOwn(map, key);
}

/** The value of `map`'s own key `key`, or undefined when it has none (never an inherited one). */
export function ownValue<T>(map: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(map, key) ? map[key] : undefined;
}

/** Sets `map[key]` as an own key, `__proto__` included. */
export function setOwn<T>(map: Record<string, T>, key: string, value: NoInfer<T>): void {
  if (key === "__proto__") Object.defineProperty(map, key, { value, writable: true, enumerable: true, configurable: true });
  else map[key] = value;
}

/** An empty map with no prototype: nothing inherited to find, and `__proto__` is an ordinary key. */
export function ownMap<T>(entries?: Iterable<readonly [string, T]>): Record<string, T> {
  const map = Object.create(null) as Record<string, T>;
  if (entries) for (const [k, v] of entries) map[k] = v;
  return map;
}

/**
 * A reader of one column: `record[name]` when the name cannot be inherited (the cheap, usual case),
 * else a lookup of the own key only. Built once per column, called per record.
 */
export function fieldReader(name: string): (record: Readonly<Record<string, unknown>>) => unknown {
  return isInheritedName(name) ? (record) => (Object.hasOwn(record, name) ? record[name] : undefined) : (record) => record[name];
}
