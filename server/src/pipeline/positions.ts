/** Offsets ↔ 0-based line/character, for the front ends (CLI, LSP) that need lines. */
export interface LineCol {
  line: number;
  character: number;
}

export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(text: string) {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10) this.starts.push(i + 1);
      else if (c === 13 && text.charCodeAt(i + 1) !== 10) this.starts.push(i + 1);
    }
  }

  positionAt(offset: number): LineCol {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.starts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: offset - (this.starts[lo] ?? 0) };
  }

  offsetAt(pos: LineCol): number {
    const start = this.starts[Math.min(pos.line, this.starts.length - 1)] ?? 0;
    return start + pos.character;
  }

  get lineCount(): number {
    return this.starts.length;
  }
}
