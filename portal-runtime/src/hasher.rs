//! [`Argon2Hasher`]: the [`PasswordHasher`] port with argon2id, hashing on
//! threads of its own at lowered OS priority, so a log-in storm never
//! starves the async executor of threads.

use argon2::password_hash::{PasswordHash, PasswordHasher as _, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use async_trait::async_trait;
use portal_core::identity::{HashError, Password, PasswordHasher};
use secrecy::{ExposeSecret, SecretString};
use std::sync::{Arc, Mutex, mpsc};
use thread_priority::{ThreadPriority, ThreadPriorityValue, set_current_thread_priority};
use tokio::sync::{Semaphore, oneshot};

/// argon2id with OWASP's parameters (m = 19 MiB, t = 2, p = 1), run on
/// threads of its own behind a semaphore sized to the cores: a log-in storm
/// queues here instead of starving other requests of executor threads. The
/// threads run below normal OS priority (`lower_priority`).
#[derive(Clone)]
pub struct Argon2Hasher {
    params: Params,
    permits: Arc<Semaphore>,
    dummy_hash: Arc<str>,
    threads: mpsc::Sender<Job>,
}

/// A hashing job for one of the hasher's threads.
type Job = Box<dyn FnOnce() + Send>;

/// The hashing threads' priority on thread-priority's scale (0 lowest, 99
/// highest), which on Linux it maps onto nice values: 22 is nice 10 (0 is
/// normal, 19 lowest). Page requests preempt a hash, so a log-in storm
/// slows log-ins rather than every page, while hashing still gets about a
/// tenth of a core that page requests keep busy.
const HASHING_PRIORITY: u8 = 22;

/// Lowers the calling thread's scheduling priority to [`HASHING_PRIORITY`].
/// Where the OS refuses, hashing runs at normal priority, as before.
fn lower_priority() {
    let lowered = ThreadPriorityValue::try_from(HASHING_PRIORITY)
        .map_err(|error| error.to_string())
        .and_then(|value| {
            set_current_thread_priority(ThreadPriority::Crossplatform(value))
                .map_err(|error| format!("{error:?}"))
        });
    if let Err(error) = lowered {
        tracing::warn!(%error, "hashing threads run at normal priority");
    }
}

/// Starts `count` hashing threads at lowered priority, taking jobs from
/// the returned sender; they end when every sender is dropped.
fn hashing_threads(count: usize) -> Result<mpsc::Sender<Job>, HashError> {
    let (sender, receiver) = mpsc::channel::<Job>();
    let receiver = Arc::new(Mutex::new(receiver));
    for index in 0..count {
        let receiver = receiver.clone();
        std::thread::Builder::new()
            .name(format!("portal-argon2-{index}"))
            .spawn(move || {
                lower_priority();
                loop {
                    // The lock is held only while waiting, never during a hash.
                    let next = match receiver.lock() {
                        Ok(jobs) => jobs.recv(),
                        Err(_) => return,
                    };
                    let Ok(job) = next else { return };
                    // A panicking job fails its own request, not the thread.
                    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
                }
            })
            .map_err(|e| HashError(e.to_string()))?;
    }
    Ok(sender)
}

impl Argon2Hasher {
    /// OWASP's recommended argon2id parameters, one hashing job per core.
    pub fn owasp() -> Result<Self, HashError> {
        let params = Params::new(19 * 1024, 2, 1, None).map_err(|e| HashError(e.to_string()))?;
        Self::with_params(params, num_cores())
    }

    /// Cheap parameters for tests only: still argon2id, but fast.
    #[doc(hidden)]
    pub fn insecure_for_tests() -> Self {
        let params = Params::new(256, 1, 1, None).unwrap_or_default();
        Self::with_params(params, 4).unwrap_or_else(|_| Self {
            params: Params::default(),
            permits: Arc::new(Semaphore::new(4)),
            dummy_hash: Arc::from(""),
            // No threads: every hash fails, as it would have anyway.
            threads: mpsc::channel().0,
        })
    }

    /// Any parameters, and how many hashes may run at once.
    pub fn with_params(params: Params, concurrency: usize) -> Result<Self, HashError> {
        let dummy_hash = hash_blocking(&params, "dummy password for unknown users")?;
        let concurrency = concurrency.max(1);
        Ok(Self {
            params,
            permits: Arc::new(Semaphore::new(concurrency)),
            dummy_hash: Arc::from(dummy_hash),
            threads: hashing_threads(concurrency)?,
        })
    }

    async fn run<T: Send + 'static>(
        &self,
        job: impl FnOnce(Params) -> T + Send + 'static,
    ) -> Result<T, HashError> {
        // The permit moves into the blocking job: if the request is dropped
        // (client gone) the hash still runs, and still holds its permit, so
        // abandoned requests cannot pile up unbounded hashing.
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|e| HashError(e.to_string()))?;
        let params = self.params.clone();
        let (done, result) = oneshot::channel();
        // As many threads as permits: a job sent finds a thread free.
        self.threads
            .send(Box::new(move || {
                let _permit = permit;
                let _ = done.send(job(params));
            }))
            .map_err(|_| HashError("the hashing threads have stopped".into()))?;
        result
            .await
            .map_err(|_| HashError("a hashing job failed".into()))
    }
}

fn num_cores() -> usize {
    std::thread::available_parallelism()
        .map(usize::from)
        .unwrap_or(2)
}

fn argon2(params: Params) -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

fn hash_blocking(params: &Params, password: &str) -> Result<String, HashError> {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    argon2(params.clone())
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| HashError(e.to_string()))
}

thread_local! {
    /// Argon2's working memory, kept per hashing thread and reused.
    static MEMORY: std::cell::RefCell<Vec<argon2::Block>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Verifies against the parameters stored in the hash, reusing this
/// thread's argon2 memory: allocating 19 MiB per log-in made the allocator
/// hold hundreds of MiB and spent a fifth of the CPU on page faults.
fn verify_blocking(_params: Params, candidate: &str, stored: &str) -> Result<bool, HashError> {
    let err = |e: &dyn std::fmt::Display| HashError(e.to_string());
    let parsed = PasswordHash::new(stored).map_err(|e| err(&e))?;
    if parsed.algorithm != argon2::ARGON2ID_IDENT {
        return Err(HashError(format!(
            "unsupported algorithm {}",
            parsed.algorithm
        )));
    }
    let params = Params::try_from(&parsed).map_err(|e| err(&e))?;
    let expected = parsed.hash.ok_or_else(|| HashError("no hash".into()))?;
    let salt = parsed.salt.ok_or_else(|| HashError("no salt".into()))?;
    let mut salt_buf = [0u8; 64];
    let salt = salt.decode_b64(&mut salt_buf).map_err(|e| err(&e))?;
    let version = parsed
        .version
        .map(Version::try_from)
        .transpose()
        .map_err(|e| err(&e))?
        .unwrap_or(Version::V0x13);
    let mut out = vec![0u8; expected.len()];
    let blocks = params.block_count();
    let argon2 = Argon2::new(Algorithm::Argon2id, version, params);
    MEMORY.with(|memory| {
        let mut memory = memory.borrow_mut();
        if memory.len() < blocks {
            memory.resize(blocks, argon2::Block::default());
        }
        argon2
            .hash_password_into_with_memory(
                candidate.as_bytes(),
                salt,
                &mut out,
                &mut memory[..blocks],
            )
            .map_err(|e| err(&e))
    })?;
    Ok(subtle::ConstantTimeEq::ct_eq(out.as_slice(), expected.as_bytes()).into())
}

#[async_trait]
impl PasswordHasher for Argon2Hasher {
    async fn hash(&self, password: &Password) -> Result<String, HashError> {
        let password = password.clone();
        self.run(move |params| hash_blocking(&params, password.expose()))
            .await?
    }

    async fn verify(&self, candidate: &SecretString, stored: &str) -> Result<bool, HashError> {
        let candidate = candidate.clone();
        let stored = stored.to_owned();
        self.run(move |params| verify_blocking(params, candidate.expose_secret(), &stored))
            .await?
    }

    async fn verify_dummy(&self, candidate: &SecretString) {
        let candidate = candidate.clone();
        let dummy = self.dummy_hash.clone();
        let _ = self
            .run(move |params| verify_blocking(params, candidate.expose_secret(), &dummy))
            .await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use portal_core::identity::Password;

    #[tokio::test]
    async fn a_hash_verifies_its_password_and_nothing_else() {
        let hasher = Argon2Hasher::insecure_for_tests();
        let hash = hasher
            .hash(&Password::parse("seven dwarfs walk").unwrap())
            .await
            .unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(
            hasher
                .verify(&SecretString::from("seven dwarfs walk"), &hash)
                .await
                .unwrap()
        );
        assert!(
            !hasher
                .verify(&SecretString::from("seven dwarfs run"), &hash)
                .await
                .unwrap()
        );
        assert!(
            hasher
                .verify(&SecretString::from("x"), "not a hash")
                .await
                .is_err()
        );
    }

    #[tokio::test]
    async fn the_owasp_parameters_are_argon2id_m19mib_t2_p1() {
        let hasher = Argon2Hasher::owasp().unwrap();
        let hash = hasher
            .hash(&Password::parse("seven dwarfs walk").unwrap())
            .await
            .unwrap();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
    }
}
