//! The Client in the exported project: its scenario becomes the README's `curl` lines.

use crate::export::kind::KindExport;
use crate::model::{Node, NodeKind, SampleRequest};

impl KindExport for super::Def {
    fn sample_requests<'n>(&self, node: &'n Node) -> &'n [SampleRequest] {
        match &node.kind {
            NodeKind::Client(client) => &client.scenario,
            _ => &[],
        }
    }
}
