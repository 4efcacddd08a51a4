//! A minimal `--name value` argument parser, enough for the benchmark's
//! binaries (no dependency for a handful of flags).

use anyhow::{Context, bail};
use std::collections::HashMap;
use std::str::FromStr;

/// Parsed `--name value` pairs and bare `--flag`s.
#[derive(Debug, Default)]
pub struct Args {
    values: HashMap<String, String>,
}

impl Args {
    /// Reads the process's arguments. Every argument must be `--name`,
    /// optionally followed by a value that does not start with `--`.
    pub fn from_env() -> anyhow::Result<Self> {
        Self::parse(std::env::args().skip(1))
    }

    /// Parses `args` (without the program name).
    pub fn parse(args: impl IntoIterator<Item = String>) -> anyhow::Result<Self> {
        let mut values = HashMap::new();
        let mut args = args.into_iter().peekable();
        while let Some(arg) = args.next() {
            let Some(name) = arg.strip_prefix("--") else {
                bail!("unexpected argument `{arg}`: options look like --name value");
            };
            let value = match args.peek() {
                Some(next) if !next.starts_with("--") => args.next().unwrap_or_default(),
                _ => String::new(),
            };
            values.insert(name.to_owned(), value);
        }
        Ok(Self { values })
    }

    /// Whether `--name` was given.
    pub fn flag(&self, name: &str) -> bool {
        self.values.contains_key(name)
    }

    /// The value of `--name`, if given.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    /// The value of `--name`, which must be given.
    pub fn required(&self, name: &str) -> anyhow::Result<&str> {
        self.get(name)
            .filter(|value| !value.is_empty())
            .with_context(|| format!("--{name} is required"))
    }

    /// The value of `--name` parsed, or `default` when absent.
    pub fn parsed_or<T: FromStr>(&self, name: &str, default: T) -> anyhow::Result<T>
    where
        T::Err: std::fmt::Display,
    {
        match self.get(name) {
            None => Ok(default),
            Some(text) => text
                .parse()
                .map_err(|error| anyhow::anyhow!("--{name} {text}: {error}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_values_and_flags() -> anyhow::Result<()> {
        let args = Args::parse(
            ["--url", "http://x/", "--hashrate", "--connections", "8"]
                .into_iter()
                .map(String::from),
        )?;
        assert_eq!(args.get("url"), Some("http://x/"));
        assert!(args.flag("hashrate"));
        assert_eq!(args.parsed_or("connections", 1usize)?, 8);
        assert_eq!(args.parsed_or("duration-secs", 10u64)?, 10);
        assert!(args.required("tokens-file").is_err());
        assert!(Args::parse(["stray".to_owned()]).is_err());
        Ok(())
    }
}
