// The bench's CPU accounting (bench/cpu.ts), which `npm run bench` uses to show where a CPU-bound
// scenario's time went: readings of /proc that must count a process tree, and nothing that is not one.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { machineMicros, postmasterPid, processTreeMicros } from "../../bench/cpu.ts";

const onLinux = process.platform === "linux";

describe.runIf(onLinux)("bench CPU accounting", () => {
  it("counts a process's children with it, and stops counting a child that has exited", async () => {
    // A child that spins until it has used 300 ms of CPU (however busy the machine), says so, and waits.
    const spin =
      "const c=()=>{const u=process.cpuUsage();return u.user+u.system}; while (c()<300000); console.log('done'); setInterval(()=>{},1000)";
    const child = spawn(process.execPath, ["-e", spin], { stdio: ["ignore", "pipe", "ignore"] });
    try {
      const own = () => processTreeMicros(String(process.pid))!;
      await new Promise((r) => child.stdout.once("data", r));
      const withChild = own();
      const childAlone = processTreeMicros(String(child.pid))!;
      expect(childAlone).toBeGreaterThanOrEqual(200_000);
      const cpu = process.cpuUsage();
      // Our own CPU plus the child's, within a tick of accounting either way.
      expect(withChild).toBeGreaterThanOrEqual(childAlone + (cpu.user + cpu.system) * 0.5);
      child.kill();
      await new Promise((r) => child.once("exit", r));
      await new Promise((r) => setTimeout(r, 50));
      expect(own()).toBeLessThan(withChild);
    } finally {
      child.kill();
    }
  });

  it("answers undefined for a process that does not exist", () => {
    expect(processTreeMicros("999999999")).toBeUndefined();
  });

  it("reads the machine's busy time, which grows while this process spins", () => {
    const before = machineMicros()!;
    const t = Date.now();
    while (Date.now() - t < 200);
    const after = machineMicros()!;
    expect(after.busy - before.busy).toBeGreaterThanOrEqual(100_000);
    expect(after.steal).toBeGreaterThanOrEqual(before.steal);
  });

  it("finds a postmaster only through a postmaster.pid naming a live process", () => {
    const dir = mkdtempSync(join(tmpdir(), "gatehouse-pid-"));
    try {
      expect(postmasterPid(dir)).toBeUndefined();
      writeFileSync(join(dir, "postmaster.pid"), `${process.pid}\n/var/lib/postgresql\n`);
      expect(postmasterPid(dir)).toBe(String(process.pid));
      writeFileSync(join(dir, "postmaster.pid"), "999999999\n");
      expect(postmasterPid(dir)).toBeUndefined();
      writeFileSync(join(dir, "postmaster.pid"), "not a pid\n");
      expect(postmasterPid(dir)).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
