// An exact set of versions of one package: a bitset over the indices of its known, ascending
// version list. Because the universe is finite and known, complement, subset and disjointness are
// exact, which keeps the solver's term algebra simple and lets explanations name real versions.

/** An immutable subset of the indices 0..size-1 of a package's version list. */
export class VersionSet {
  private constructor(
    /** How many versions the package has (the universe's size). */
    readonly size: number,
    /** Bit i of word i>>>5 is version i; read-only by convention, shared between sets. */
    readonly words: Uint32Array,
  ) {}

  /** The empty set over a universe of `size` versions. */
  static empty(size: number): VersionSet {
    return new VersionSet(size, new Uint32Array((size + 31) >>> 5));
  }

  /** Every version of the universe. */
  static full(size: number): VersionSet {
    const words = new Uint32Array((size + 31) >>> 5);
    words.fill(0xffffffff);
    return new VersionSet(size, trim(size, words));
  }

  /** The set of the given indices (out-of-range indices are ignored). */
  static of(size: number, indices: Iterable<number>): VersionSet {
    const words = new Uint32Array((size + 31) >>> 5);
    for (const i of indices) if (i >= 0 && i < size) words[i >>> 5] |= 1 << (i & 31);
    return new VersionSet(size, words);
  }

  /** The versions for which `allows` is true; `versions` is the package's whole list. */
  static where(versions: readonly string[], allows: (version: string) => boolean): VersionSet {
    const words = new Uint32Array((versions.length + 31) >>> 5);
    for (let i = 0; i < versions.length; i++) if (allows(versions[i])) words[i >>> 5] |= 1 << (i & 31);
    return new VersionSet(versions.length, words);
  }

  has(index: number): boolean {
    return index >= 0 && index < this.size && (this.words[index >>> 5] & (1 << (index & 31))) !== 0;
  }

  isEmpty(): boolean {
    for (let i = 0; i < this.words.length; i++) if (this.words[i] !== 0) return false;
    return true;
  }

  isFull(): boolean {
    return this.count() === this.size;
  }

  count(): number {
    let n = 0;
    for (let i = 0; i < this.words.length; i++) n += popcount(this.words[i]);
    return n;
  }

  /** The lowest index in the set, or -1. */
  first(): number {
    for (let w = 0; w < this.words.length; w++) {
      const x = this.words[w];
      if (x !== 0) return (w << 5) + (31 - Math.clz32(x & -x));
    }
    return -1;
  }

  /** The highest index in the set, or -1. */
  last(): number {
    for (let w = this.words.length - 1; w >= 0; w--) {
      const x = this.words[w];
      if (x !== 0) return (w << 5) + (31 - Math.clz32(x));
    }
    return -1;
  }

  /** The indices in ascending order. */
  indices(): number[] {
    const out: number[] = [];
    for (let w = 0; w < this.words.length; w++) {
      let x = this.words[w];
      while (x !== 0) {
        const low = x & -x;
        out.push((w << 5) + (31 - Math.clz32(low)));
        x ^= low;
      }
    }
    return out;
  }

  union(other: VersionSet): VersionSet {
    return this.combine(other, (a, b) => a | b);
  }

  intersect(other: VersionSet): VersionSet {
    return this.combine(other, (a, b) => a & b);
  }

  minus(other: VersionSet): VersionSet {
    return this.combine(other, (a, b) => a & ~b);
  }

  complement(): VersionSet {
    const words = new Uint32Array(this.words.length);
    for (let i = 0; i < words.length; i++) words[i] = ~this.words[i];
    return new VersionSet(this.size, trim(this.size, words));
  }

  isSubsetOf(other: VersionSet): boolean {
    for (let i = 0; i < this.words.length; i++) if ((this.words[i] & ~wordAt(other, i)) !== 0) return false;
    return true;
  }

  isDisjointFrom(other: VersionSet): boolean {
    for (let i = 0; i < this.words.length; i++) if ((this.words[i] & wordAt(other, i)) !== 0) return false;
    return true;
  }

  equals(other: VersionSet): boolean {
    return this.isSubsetOf(other) && other.isSubsetOf(this);
  }

  /** Maximal runs of consecutive indices, as [first, last] pairs. */
  runs(): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    for (const i of this.indices()) {
      const tail = out[out.length - 1];
      if (tail && tail[1] === i - 1) tail[1] = i;
      else out.push([i, i]);
    }
    return out;
  }

  private combine(other: VersionSet, op: (a: number, b: number) => number): VersionSet {
    const words = new Uint32Array(this.words.length);
    for (let i = 0; i < words.length; i++) words[i] = op(this.words[i], wordAt(other, i));
    return new VersionSet(this.size, words);
  }
}

// Sets over the same package share a size; reading past a shorter array keeps a mismatch harmless.
function wordAt(set: VersionSet, i: number): number {
  return set.words[i] ?? 0;
}

function trim(size: number, words: Uint32Array): Uint32Array {
  const rest = size & 31;
  if (rest !== 0 && words.length > 0) words[words.length - 1] &= (1 << rest) - 1;
  return words;
}

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}
