/**
 * Strongly connected components (Tarjan's algorithm, iterative so that deep chains cannot overflow
 * the stack). One implementation for the DAG's cycle report and for `generate`'s foreign-key order.
 */

/**
 * The components of the graph `out` restricted to `ids`, in the order Tarjan's algorithm closes
 * them (a component before the components that reach it). Edges to ids outside the map are followed
 * only when `out` has them, so callers pass the edges they want considered.
 */
export function stronglyConnected<E extends { readonly to: string }>(ids: readonly string[], out: ReadonlyMap<string, readonly E[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let counter = 0;
  const visit = (id: string): void => {
    index.set(id, counter);
    low.set(id, counter++);
    stack.push(id);
    onStack.add(id);
  };
  for (const root of ids) {
    if (index.has(root)) continue;
    const work: { id: string; next: number }[] = [{ id: root, next: 0 }];
    visit(root);
    while (work.length > 0) {
      const frame = work[work.length - 1] as { id: string; next: number };
      const edges = out.get(frame.id) ?? [];
      if (frame.next < edges.length) {
        const to = (edges[frame.next++] as E).to;
        if (!index.has(to)) {
          visit(to);
          work.push({ id: to, next: 0 });
        } else if (onStack.has(to)) low.set(frame.id, Math.min(low.get(frame.id) as number, index.get(to) as number));
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.id, Math.min(low.get(parent.id) as number, low.get(frame.id) as number));
      if (low.get(frame.id) === index.get(frame.id)) components.push(popComponent(stack, onStack, frame.id));
    }
  }
  return components;
}

function popComponent(stack: string[], onStack: Set<string>, root: string): string[] {
  const component: string[] = [];
  for (;;) {
    const id = stack.pop() as string;
    onStack.delete(id);
    component.push(id);
    if (id === root) return component;
  }
}
