/**
 * The last value made for each key, kept while what it was made from stays the same: a process
 * that builds again and again (`folio build --watch`, the preview) makes again only what an
 * edit changed. Each caller gets a copy of its own, free to change.
 */
export class LastMade<T> {
  private readonly made = new Map<string, { input: string; value: T }>();

  /**
   * @param limit Keys remembered at most (the oldest are forgotten first).
   * @param copy Makes a caller's copy of a remembered value.
   */
  constructor(
    private readonly limit: number,
    private readonly copy: (value: T) => T,
  ) {}

  /** The value for `key` made from `input`: remembered, or made by `make` now. */
  get(key: string, input: string, make: () => T): T {
    const last = this.made.get(key);
    if (last?.input === input) return this.copy(last.value);
    const value = make();
    this.made.delete(key);
    this.made.set(key, { input, value: this.copy(value) });
    if (this.made.size > this.limit) this.made.delete(this.made.keys().next().value as string);
    return value;
  }
}
