//! World regions that Clients and Hyperdrive origins sit in.
//!
//! The list is the rows of the round-trip-time table the simulator uses: Microsoft's published
//! Azure backbone latency (median round trip between regions).
//! Source: <https://learn.microsoft.com/en-us/azure/networking/azure-network-latency>
//! (copied with its source to `assets/data/rtt_p50_ms.csv`, 30 days ending 2026-07-30).

/// Every region name, in the order of the round-trip-time table.
pub const REGIONS: [&str; 13] = [
    "us-east",
    "us-central",
    "us-west",
    "sa-east",
    "eu-west",
    "eu-central",
    "me",
    "af-south",
    "ap-south",
    "ap-southeast",
    "ap-east",
    "ap-northeast",
    "oceania",
];

/// Whether `name` is one of [`REGIONS`].
pub fn is_region(name: &str) -> bool {
    REGIONS.contains(&name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_are_known_by_name() {
        assert!(is_region("eu-west"));
        assert!(!is_region("europe"));
    }
}
