//! What the benchmarks share: a deterministic generator and the process's peak memory.
#![allow(dead_code)]

/// Deterministic generator (xorshift64*), so every run builds the same data.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    pub fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[self.below(from.len())]
    }
}

/// Peak resident memory of this process (VmHWM), in MiB.
pub fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// Starts measuring the peak again from the current memory (Linux `clear_refs`).
pub fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// p50, p95, p99 and max.
pub fn percentiles(mut v: Vec<f64>) -> (f64, f64, f64, f64) {
    v.sort_by(|a, b| a.total_cmp(b));
    let at = |p: f64| v[((v.len() as f64 - 1.0) * p) as usize];
    (at(0.5), at(0.95), at(0.99), at(1.0))
}

/// Sets up an instance of the example Ambito (`desk` or `district`) with one user of `role`.
pub fn set_up(
    store: &sportello::store::Store,
    reference: &sportello::domain::reference::Reference,
    instance: &str,
    role: sportello::domain::role::Role,
) -> sportello::domain::user::User {
    let checked = sportello::domain::instance::InstanceForm {
        role: instance.into(),
        comune_istat: "072046".into(),
        comune_name: "Triggiano".into(),
        ambito_code: "BA05".into(),
        ambito_name: "Ambito di prova".into(),
    }
    .validate(&reference.comuni)
    .expect("instance");
    let user = sportello::domain::user::NewUser {
        username: "coord".into(),
        full_name: "Coordinatrice".into(),
        roles: vec![role],
        password: "una-password-lunga".into(),
        temporary: false,
    }
    .validate()
    .expect("user");
    store
        .setup(&checked, &user, "x".into(), "bench")
        .expect("setup")
        .1
}

/// With `SPORTELLO_BENCH_SEALED=1`, the store seals personal records under a fresh data key
/// (issue 17), so a run can be compared with one on a clear store. Returns whether it did.
pub fn seal_if_asked(store: &sportello::store::Store) -> bool {
    let sealed = std::env::var("SPORTELLO_BENCH_SEALED").is_ok_and(|v| v == "1");
    if sealed {
        store
            .start_sealing(sportello::seal::DataKey::generate().expect("random"))
            .expect("seal the store");
    }
    println!(
        "store: {}",
        if sealed {
            "sealed (SPORTELLO_BENCH_SEALED=1)"
        } else {
            "clear"
        }
    );
    sealed
}
