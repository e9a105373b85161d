/**
 * Node construction for the fast YAML path. `yaml`'s constructors define a non-enumerable type tag
 * on every node (`Object.defineProperty`), which dominates building thousands of nodes before the
 * code is optimized (a language server's first open). Here each node is an object whose prototype
 * carries that tag above `yaml`'s own class prototype: `isScalar`/`isMap`/…, `instanceof`, methods
 * and `toJS` work as for the nodes `yaml` builds. If a `yaml` release tags nodes differently, the
 * check below falls back to the constructors.
 */
import * as yaml from "yaml";
import type { Pair, Scalar, YAMLMap, YAMLSeq } from "yaml";

const NODE_TYPE = Symbol.for("yaml.node.type");

function tagged<T>(proto: object, tag: string): T {
  return Object.create(proto, { [NODE_TYPE]: { value: Symbol.for(tag) } }) as T;
}

const SCALAR: Scalar = tagged(yaml.Scalar.prototype, "yaml.scalar");
const PAIR: Pair = tagged(yaml.Pair.prototype, "yaml.pair");
const MAP: YAMLMap = tagged(yaml.YAMLMap.prototype, "yaml.map");
const SEQ: YAMLSeq = tagged(yaml.YAMLSeq.prototype, "yaml.seq");

/** True when nodes made from the tagged prototypes are what `yaml`'s guards recognize. */
const TAGS_WORK = yaml.isScalar(Object.create(SCALAR)) && yaml.isPair(Object.create(PAIR)) && yaml.isMap(Object.create(MAP)) && yaml.isSeq(Object.create(SEQ));
const YamlScalar = yaml.Scalar;
const YamlPair = yaml.Pair;
const YamlMap = yaml.YAMLMap;
const YamlSeq = yaml.YAMLSeq;

export function newScalar(value: unknown): Scalar {
  if (!TAGS_WORK) return new YamlScalar(value);
  const node = Object.create(SCALAR) as Scalar;
  node.value = value;
  return node;
}

export function newPair(key: unknown, value: unknown): Pair {
  if (!TAGS_WORK) return new YamlPair(key, value);
  const node = Object.create(PAIR) as Pair;
  node.key = key;
  node.value = value;
  return node;
}

export function newMap(): YAMLMap {
  if (!TAGS_WORK) return new YamlMap();
  const node = Object.create(MAP) as YAMLMap;
  node.items = [];
  return node;
}

export function newSeq(): YAMLSeq {
  if (!TAGS_WORK) return new YamlSeq();
  const node = Object.create(SEQ) as YAMLSeq;
  node.items = [];
  return node;
}
