// How much of the machine's CPU went to other processes while a case ran: the bench's own
// processes are this one (autocannon runs in it) and wrangler dev's process group (npx, wrangler,
// workerd). Linux only (/proc); elsewhere every figure is null.
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';

function machineTicks() {
  // cpu  user nice system idle iowait irq softirq steal guest guest_nice (guest is inside user)
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1, 9).map(Number);
  const total = fields.reduce((sum, value) => sum + value, 0);
  const idle = fields[3] + fields[4];
  return { total, busy: total - idle };
}

function ourTicks(serverGroup) {
  let ticks = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    // pid (comm) state ppid pgrp ... utime(14) stime(15): split after the command's closing parenthesis.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const pid = Number(entry);
    const group = Number(rest[2]);
    if (pid === process.pid || (serverGroup !== null && group === serverGroup)) ticks += Number(rest[11]) + Number(rest[12]);
  }
  return ticks;
}

/** A point in time to measure from; `since(start)` gives the other processes' share of all CPUs since then (0-1). */
export function cpuSnapshot(serverGroup) {
  if (os.platform() !== 'linux') return null;
  try {
    return { machine: machineTicks(), ours: ourTicks(serverGroup) };
  } catch {
    return null;
  }
}

export function otherCpuShare(start, end) {
  if (!start || !end) return null;
  const total = end.machine.total - start.machine.total;
  if (total <= 0) return null;
  const others = end.machine.busy - start.machine.busy - (end.ours - start.ours);
  return Math.max(0, others) / total;
}
