//! A Client in the local engine: it answers nothing itself, but what it is wired to is a
//! public entry point.

use crate::runtime::KindRuntime;
use crate::runtime::kind::Exposure;

impl KindRuntime for super::Def {
    fn exposure(&self) -> Exposure {
        Exposure::Caller
    }
}
