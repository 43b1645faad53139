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
                "stolenPct": share(end.steal.saturating_sub(self.steal)) })
    }
}

/// One line for a run's [`Snapshot::until`].
pub fn describe(m: &Value) -> String {
    let f = |k: &str| m[k].as_f64().unwrap_or(f64::NAN);
    format!(
        "machine: {} cores, load {:.1} → {:.1}; busy {:.0} % (collector {:.0} %, load generator {:.0} %, others {:.0} %: PostgreSQL, other programs), stolen {:.0} %",
        m["cores"].as_u64().unwrap_or(0),
        f("loadStart"),
        f("loadEnd"),
        f("busyPct"),
        f("collectorPct"),
        f("generatorPct"),
        f("othersPct"),
        f("stolenPct"),
    )
}
