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

/** A port the kernel says is free right now (for tests that cannot own a range, e.g. ports read from the README). */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
