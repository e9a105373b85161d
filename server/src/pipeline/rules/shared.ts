/** Facts about all steps that several rules read, built once per outline. */
import type { PipelineOutline } from "../outline";
import { sameList } from "./rule";

export class StepIds {
  private known: ReadonlySet<string> | undefined;

  /** `list`: every step id in file order (duplicates included). */
  constructor(readonly list: readonly string[]) {}

  /** The ids as a set, built when first asked for (a check whose steps all come from a cache never asks). */
  get set(): ReadonlySet<string> {
    this.known ??= new Set(this.list);
    return this.known;
  }
}

const IDS = new WeakMap<PipelineOutline, StepIds>();

export function stepIds(outline: PipelineOutline): StepIds {
  let ids = IDS.get(outline);
  if (!ids) {
    const list: string[] = [];
    for (const s of outline.steps) if (s.id) list.push(s.id.name);
    ids = new StepIds(list);
    IDS.set(outline, ids);
  }
  return ids;
}

export const sameIds = (a: StepIds, b: StepIds): boolean => sameList(a.list, b.list);

/** The connections' names and types, in file order: `[name, type, name, type, …]`. */
export function connectionTypes(outline: PipelineOutline): (string | undefined)[] {
  const out: (string | undefined)[] = [];
  for (const c of outline.connections.values()) out.push(c.name, c.type);
  return out;
}
