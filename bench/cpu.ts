// Where the machine's CPU goes during a measured run, read from Linux's /proc: the whole machine, the
// bench process itself (autocannon, the load generator, runs in it) and a Postgres server on this machine.
// With the server's own split (bench/metrics.ts), a CPU-bound scenario's cost per request is accounted
// for in full, so a ratio that misses its target shows what it lost to. Elsewhere than Linux each reader
// answers undefined and the bench prints no budget.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";

/** /proc reports times in USER_HZ, which Linux fixes at 100 per second for user space. */
const MICROS_PER_TICK = 10_000;

const readText = (path: string): string | undefined => {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
};

/**
 * Every CPU's time since boot, in µs: busy (user, nice, system, irq, softirq) and stolen (by the hypervisor,
 * for other machines on the same host: capacity this machine did not get).
 */
export function machineMicros(): { busy: number; steal: number } | undefined {
  const line = readText("/proc/stat")?.split("\n", 1)[0];
  if (!line?.startsWith("cpu ")) return undefined;
  const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
  if (steal === undefined || Number.isNaN(steal)) return undefined;
  return { busy: (user! + nice! + system! + irq! + softirq!) * MICROS_PER_TICK, steal: steal * MICROS_PER_TICK };
}

/** The process's pid, parent pid and CPU (utime + stime) in µs; the name in parentheses may hold spaces. */
function processStat(pid: string): { ppid: string; micros: number } | undefined {
  const stat = readText(`/proc/${pid}/stat`);
  if (!stat) return undefined;
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // Counting from the state (field 3): ppid is field 4, utime 14, stime 15.
  return { ppid: fields[1]!, micros: (Number(fields[11]) + Number(fields[12])) * MICROS_PER_TICK };
}

/**
 * CPU used so far by a process and its children (a postmaster and its backends), in µs. A child that has
 * exited no longer counts: readers take differences over runs whose connections stay open.
 */
export function processTreeMicros(rootPid: string): number | undefined {
  const root = processStat(rootPid);
  if (!root) return undefined;
  let micros = root.micros;
  for (const pid of readdirSync("/proc")) {
    if (!/^\d+$/.test(pid) || pid === rootPid) continue;
    const stat = processStat(pid);
    if (stat?.ppid === rootPid) micros += stat.micros;
  }
  return micros;
}

/** The postmaster's pid, from postmaster.pid in its data directory: Postgres on this machine only. */
export function postmasterPid(dataDirectory: string): string | undefined {
  const pid = readText(join(dataDirectory, "postmaster.pid"))?.split("\n", 1)[0]?.trim();
  return pid && /^\d+$/.test(pid) && readText(`/proc/${pid}/stat`) ? pid : undefined;
}

/** The bench process's own CPU, every thread, in µs. */
export function benchProcessMicros(): number {
  const cpu = process.cpuUsage();
  return cpu.user + cpu.system;
}
