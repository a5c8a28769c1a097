// How fast this machine is right now at what a chat gateway does: a bare Node process writes
// 2 KB to each of 5,000 loopback sockets, 20 rounds, and prints the median round (ms) on stdout.
// The machine is shared: the same code measured 47 ms on a quiet stretch and 68–76 ms hours
// later, when every benchmark figure moved with it. Run apart from the benchmark's processes.
import { connect, createServer, type Socket } from "node:net";

const SOCKETS = 5000;
const ROUNDS = 20;
const accepted: Socket[] = [];
const server = createServer((socket) => accepted.push(socket));
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const { port } = server.address() as { port: number };
const readBuffer = Buffer.alloc(64 * 1024);
const clients: Socket[] = [];
for (let i = 0; i < SOCKETS; i++) {
  clients.push(
    await new Promise<Socket>((resolve) => {
      const socket = connect(
        { port, host: "127.0.0.1", onread: { buffer: readBuffer, callback: () => true } },
        () => resolve(socket),
      );
    }),
  );
}
while (accepted.length < SOCKETS) await new Promise((resolve) => setTimeout(resolve, 10));
const payload = Buffer.alloc(2048, "a");
const rounds: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  const began = process.hrtime.bigint();
  for (const socket of accepted) socket.write(payload);
  rounds.push(Number(process.hrtime.bigint() - began) / 1e6);
  await new Promise((resolve) => setTimeout(resolve, 100));
}
rounds.sort((a, b) => a - b);
process.stdout.write(`${(rounds[ROUNDS / 2] ?? 0).toFixed(0)}\n`);
process.exit(0);
