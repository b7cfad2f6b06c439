//! A process's resident memory, from `/proc/<pid>/status` (Linux).

/// Resident memory of a process now and at its peak, in MiB.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rss {
    /// VmRSS: resident now.
    pub now_mib: f64,
    /// VmHWM: the most it has been resident since it started.
    pub peak_mib: f64,
}

/// `None` when the process is gone (or this is not Linux).
pub fn rss(pid: u32) -> Option<Rss> {
    parse(&std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?)
}

fn parse(status: &str) -> Option<Rss> {
    let kib = |field: &str| -> Option<f64> {
        let line = status.lines().find(|l| l.starts_with(field))?;
        line.split_whitespace().nth(1)?.parse().ok()
    };
    Some(Rss {
        now_mib: kib("VmRSS:")? / 1024.0,
        peak_mib: kib("VmHWM:")? / 1024.0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_current_and_peak_resident_memory() {
        let status =
            "Name:\tgantry\nVmPeak:\t  900000 kB\nVmHWM:\t  204800 kB\nVmRSS:\t  102400 kB\n";
        assert_eq!(
            parse(status),
            Some(Rss {
                now_mib: 100.0,
                peak_mib: 200.0
            })
        );
        assert_eq!(parse("Name:\tzombie\n"), None);
    }

    #[test]
    fn reads_this_process() {
        let own = rss(std::process::id()).expect("/proc/self is readable on Linux");
        assert!(own.now_mib > 0.0 && own.peak_mib >= own.now_mib);
    }
}
