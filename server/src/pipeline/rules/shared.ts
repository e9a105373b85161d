/** Facts about all steps that several rules read, built once per outline. */
import type { PipelineOutline } from "../outline";
import { idsBetween, sameList } from "./rule";

export class StepIds {
  private known: ReadonlySet<string> | undefined;
  private ids: readonly string[] | undefined;

  /** `byPosition`: each step's id (undefined for a step without one), in file order. */
  constructor(readonly byPosition: readonly (string | undefined)[]) {}

  /** Every step id in file order (duplicates included). */
  get list(): readonly string[] {
    this.ids ??= this.byPosition.filter((id): id is string => id !== undefined);
    return this.ids;
  }

  /** The ids as a set, built when first asked for (a check whose steps all come from a cache never asks). */
  get set(): ReadonlySet<string> {
    this.known ??= new Set(this.list);
    return this.known;
  }

  /**
   * The ids of the other steps, nearest to `position` first (before it, then after it, alternating):
   * a mistyped reference most likely means a step close by, and a bounded "did you mean" search
   * (suggest.ts) looks at the first few hundred only.
   */
  *near(position: number, except: string | undefined): Generator<string> {
    const all = this.byPosition;
    for (let d = 1; position - d >= 0 || position + d < all.length; d++) {
      const before = all[position - d];
      if (before !== undefined && before !== except) yield before;
      const after = all[position + d];
      if (after !== undefined && after !== except) yield after;
    }
  }
}

const IDS = new WeakMap<PipelineOutline, StepIds>();

export function stepIds(outline: PipelineOutline): StepIds {
  let ids = IDS.get(outline);
  if (!ids) {
    ids = new StepIds(outline.steps.map((s) => s.id?.name));
    IDS.set(outline, ids);
  }
  return ids;
}

export const sameIds = (a: StepIds, b: StepIds): boolean => sameList(a.byPosition, b.byPosition);

/** The ids gained, lost or moved between two versions' steps (`StepCheck.changedIds`). */
export const changedIds = (a: StepIds, b: StepIds): Set<string> => idsBetween(a.byPosition, b.byPosition, (i, j) => a.byPosition[i] === b.byPosition[j]);

/** The connections' names and types, in file order: `[name, type, name, type, …]`. */
export function connectionTypes(outline: PipelineOutline): (string | undefined)[] {
  const out: (string | undefined)[] = [];
  for (const c of outline.connections.values()) out.push(c.name, c.type);
  return out;
}
