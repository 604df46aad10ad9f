/** Hands out ports of one test file's own range (test files run in parallel). */
export class PortRange {
  private next: number;
  constructor(first: number, private readonly last: number) {
    this.next = first;
  }
  take(): number {
    if (this.next > this.last) throw new Error('test port range exhausted');
    return this.next++;
  }
}
