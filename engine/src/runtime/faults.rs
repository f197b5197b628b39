//! Faults on demand (`serve --fault NODE=slow:MS|error|down`, `POST /__edgewire/faults`):
//! a store that is slow, fails or is down, a Worker that throws. The engine then answers as
//! the platform would: a failed query fails its step (the Worker's usual 500 JSON), a store
//! that is down answers the 502 an unreachable origin gives, a throwing Worker the 500
//! `internal error`. Clearing a fault restores normal service at the next request.

use std::collections::BTreeMap;
use std::sync::RwLock;

use serde::{Deserialize, Serialize};

use super::bindings::BindingError;
use super::trace::HopTimer;

/// What is wrong with a node.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fault {
    /// Every operation takes this many milliseconds longer.
    Slow { ms: f64 },
    /// Every operation fails.
    Error,
    /// The node cannot be reached.
    Down,
}

impl Fault {
    /// `slow:MS`, `error` or `down`.
    pub fn parse(text: &str) -> Result<Self, String> {
        match text.split_once(':') {
            None if text == "error" => Ok(Self::Error),
            None if text == "down" => Ok(Self::Down),
            Some(("slow", ms)) => match ms.parse::<f64>() {
                Ok(ms) if ms.is_finite() && (0.0..=60_000.0).contains(&ms) => Ok(Self::Slow { ms }),
                _ => Err(format!(
                    "`{ms}` is not a delay in milliseconds between 0 and 60000 (e.g. slow:250)"
                )),
            },
            _ => Err(format!(
                "`{text}` is not a fault; use slow:MS, error or down (e.g. slow:250)"
            )),
        }
    }

    /// `NODE=slow:MS|error|down`.
    pub fn parse_assignment(text: &str) -> Result<(String, Self), String> {
        let (node, fault) = text
            .split_once('=')
            .ok_or_else(|| format!("`{text}` is not NODE=FAULT (e.g. orders-db=down)"))?;
        Ok((node.to_owned(), Self::parse(fault)?))
    }

    /// How the trace shows it: `slow 250 ms`, `error`, `down`.
    pub fn label(self) -> String {
        match self {
            Self::Slow { ms } => format!("slow {ms} ms"),
            Self::Error => "error".to_owned(),
            Self::Down => "down".to_owned(),
        }
    }
}

/// The faults in force, by node id.
#[derive(Debug, Default)]
pub struct Faults {
    by_node: RwLock<BTreeMap<String, Fault>>,
}

impl Faults {
    pub fn set(&self, node: &str, fault: Option<Fault>) {
        let mut map = self
            .by_node
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match fault {
            Some(fault) => {
                map.insert(node.to_owned(), fault);
            }
            None => {
                map.remove(node);
            }
        }
    }

    pub fn clear(&self) {
        self.by_node
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clear();
    }

    pub fn snapshot(&self) -> BTreeMap<String, Fault> {
        self.by_node.read().map(|m| m.clone()).unwrap_or_default()
    }

    fn of(&self, node: &str) -> Option<Fault> {
        self.by_node.read().ok()?.get(node).copied()
    }

    /// Apply `node`'s fault to the hop being timed: wait when slow, fail when failing or
    /// down; the hop records the fault.
    pub async fn apply(&self, node: &str, timer: &mut HopTimer) -> Result<(), BindingError> {
        let Some(fault) = self.of(node) else {
            return Ok(());
        };
        timer.hop.fault = Some(fault.label());
        match fault {
            Fault::Slow { ms } => {
                tokio::time::sleep(std::time::Duration::from_secs_f64(ms / 1000.0)).await;
                Ok(())
            }
            Fault::Error => Err(BindingError::failed(format!(
                "`{node}` failed (a fault set with --fault or /__edgewire/faults)"
            ))),
            Fault::Down => Err(BindingError::Unavailable {
                message: format!(
                    "`{node}` is down (a fault set with --fault or /__edgewire/faults)"
                ),
                help: None,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_parse_and_say_what_is_wrong() {
        assert_eq!(Fault::parse("down"), Ok(Fault::Down));
        assert_eq!(Fault::parse("error"), Ok(Fault::Error));
        assert_eq!(Fault::parse("slow:250"), Ok(Fault::Slow { ms: 250.0 }));
        assert!(Fault::parse("slow:-1").is_err());
        assert!(Fault::parse("broken").is_err());
        assert_eq!(
            Fault::parse_assignment("db=down"),
            Ok(("db".to_owned(), Fault::Down))
        );
        assert!(Fault::parse_assignment("db").is_err());
    }
}
