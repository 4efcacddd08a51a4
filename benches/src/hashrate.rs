//! The machine's raw argon2id rate with Portal's parameters (m = 19 MiB,
//! t = 2, p = 1): one thread per core hashing in a loop. Log-in cannot be
//! faster than this, since each log-in verifies one hash; the benchmark
//! compares the two.

use argon2::{Algorithm, Argon2, Params, Version};
use serde::{Deserialize, Serialize};
use std::time::{Duration, Instant};

/// The hash rate measured.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct HashRate {
    /// Always `hashrate`.
    pub scenario: String,
    /// Threads used (one per core).
    pub threads: usize,
    /// Hashes done.
    pub hashes: u64,
    /// Measured seconds.
    pub seconds: f64,
    /// Hashes a second, all threads together.
    pub rate: f64,
}

/// Hashes for `duration` on `threads` threads (the core count when `None`).
pub fn measure(duration: Duration, threads: Option<usize>) -> anyhow::Result<HashRate> {
    let threads = threads.unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(usize::from)
            .unwrap_or(2)
    });
    let params = Params::new(19 * 1024, 2, 1, Some(32)).map_err(|e| anyhow::anyhow!("{e}"))?;
    let started = Instant::now();
    let end = started + duration;
    let workers: Vec<_> = (0..threads)
        .map(|thread| {
            let params = params.clone();
            std::thread::spawn(move || -> anyhow::Result<u64> {
                let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
                let salt = [thread as u8; 16];
                let mut out = [0u8; 32];
                let mut count = 0u64;
                while Instant::now() < end {
                    argon2
                        .hash_password_into(b"bench-portal-2026", &salt, &mut out)
                        .map_err(|e| anyhow::anyhow!("{e}"))?;
                    count += 1;
                }
                Ok(count)
            })
        })
        .collect();
    let mut hashes = 0;
    for worker in workers {
        hashes += worker
            .join()
            .map_err(|_| anyhow::anyhow!("a hashing thread panicked"))??;
    }
    let seconds = started.elapsed().as_secs_f64();
    Ok(HashRate {
        scenario: "hashrate".to_owned(),
        threads,
        hashes,
        seconds,
        rate: hashes as f64 / seconds,
    })
}
