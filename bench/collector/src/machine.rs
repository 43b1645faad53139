//! What else the machine did during a run: a latency figure from a machine
//! whose cores were busy with other work, or stolen by its hypervisor, says
//! more about the machine than about the collector. Read from /proc.

use serde_json::{json, Value};

/// The machine's CPU counters and load at one moment.
pub struct Snapshot {
    /// Ticks spent working (user, nice, system, irq, softirq), all cores.
    busy: u64,
    /// Ticks the hypervisor gave to other machines.
    steal: u64,
    /// All ticks, all cores.
    total: u64,
    cores: usize,
    load: f64,
    /// The collector's and the load generator's CPU seconds so far.
    collector: f64,
    generator: f64,
    disk: Disk,
}

/// What the machine's disks did so far, from /proc/diskstats: at
/// `synchronous=FULL` every commit waits for a flush, and a flush waits
/// behind whatever else was written, so the bytes written per proof are
/// part of the tail.
#[derive(Default, Clone, Copy)]
struct Disk {
    sectors_written: u64,
    writes: u64,
    flushes: u64,
}

impl Disk {
    fn take() -> Disk {
        let stats = std::fs::read_to_string("/proc/diskstats").unwrap_or_default();
        let mut disk = Disk::default();
        for line in stats.lines() {
            let f: Vec<&str> = line.split_whitespace().collect();
            // Whole disks only (a partition's writes are its disk's too), and
            // not the memory-backed ones.
            let Some(name) = f.get(2) else { continue };
            let whole = std::path::Path::new("/sys/block").join(name).exists();
            if !whole || ["loop", "ram", "zram"].iter().any(|p| name.starts_with(p)) {
                continue;
            }
            let at = |i: usize| f.get(i).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
            disk.writes += at(7);
            disk.sectors_written += at(9);
            disk.flushes += at(18);
        }
        disk
    }
}

impl Snapshot {
    /// Now, with the collector's CPU seconds so far.
    pub fn take(collector_cpu: f64) -> Snapshot {
        let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
        let ticks: Vec<u64> = stat
            .lines()
            .find(|l| l.starts_with("cpu "))
            .map(|l| l.split_whitespace().skip(1).filter_map(|v| v.parse().ok()).collect())
            .unwrap_or_default();
        let at = |i: usize| ticks.get(i).copied().unwrap_or(0);
        // user nice system idle iowait irq softirq steal (guest time is inside user).
        let busy = at(0) + at(1) + at(2) + at(5) + at(6);
        let load = std::fs::read_to_string("/proc/loadavg")
            .ok()
            .and_then(|l| l.split_whitespace().next().and_then(|v| v.parse().ok()))
            .unwrap_or(f64::NAN);
        Snapshot {
            busy,
            steal: at(7),
            total: (0..8).map(at).sum(),
            cores: stat.lines().filter(|l| l.starts_with("cpu") && !l.starts_with("cpu ")).count(),
            load,
            collector: collector_cpu,
            generator: crate::collector::cpu_seconds("self"),
            disk: Disk::take(),
        }
    }

    /// From `self` to `end`: shares of all cores, in percent.
    pub fn until(&self, end: &Snapshot) -> Value {
        let total = end.total.saturating_sub(self.total).max(1) as f64;
        let share = |ticks: u64| 100.0 * ticks as f64 / total;
        // Seconds of all cores in the window, to put process CPU seconds in the same unit.
        let core_secs = total / crate::collector::clock_ticks();
        let collector = 100.0 * (end.collector - self.collector) / core_secs;
        let generator = 100.0 * (end.generator - self.generator) / core_secs;
        let busy = share(end.busy.saturating_sub(self.busy));
        json!({ "cores": self.cores, "loadStart": self.load, "loadEnd": end.load,
                "busyPct": busy, "collectorPct": collector, "generatorPct": generator,
                "othersPct": (busy - collector - generator).max(0.0),
                "stolenPct": share(end.steal.saturating_sub(self.steal)),
                // Sectors are 512 bytes whatever the device's own block size.
                "diskWrittenKiB": end.disk.sectors_written.saturating_sub(self.disk.sectors_written) / 2,
                "diskWrites": end.disk.writes.saturating_sub(self.disk.writes),
                "diskFlushes": end.disk.flushes.saturating_sub(self.disk.flushes) })
    }
}

/// One line for a run's [`Snapshot::until`].
pub fn describe(m: &Value) -> String {
    let f = |k: &str| m[k].as_f64().unwrap_or(f64::NAN);
    format!(
        "machine: {} cores, load {:.1} → {:.1}; busy {:.0} % (collector {:.0} %, load generator {:.0} %, others {:.0} %: PostgreSQL, other programs), stolen {:.0} %; disk {:.1} MiB written in {} writes, {} flushes",
        m["cores"].as_u64().unwrap_or(0),
        f("loadStart"),
        f("loadEnd"),
        f("busyPct"),
        f("collectorPct"),
        f("generatorPct"),
        f("othersPct"),
        f("stolenPct"),
        f("diskWrittenKiB") / 1024.0,
        m["diskWrites"].as_u64().unwrap_or(0),
        m["diskFlushes"].as_u64().unwrap_or(0),
    )
}
