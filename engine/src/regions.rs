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

/// Where each region of [`REGIONS`] is on the map, as (longitude, latitude) in degrees: the
/// city of the Azure region its row of the round-trip table measures (the table's `city`
/// column), at the city centre.
pub const REGION_LOCATIONS: [(f64, f64); 13] = [
    (-78.4, 36.7),  // us-east: East US, Virginia (Boydton)
    (-98.5, 29.4),  // us-central: South Central US, Texas (San Antonio)
    (-122.4, 37.8), // us-west: West US, California (San Francisco)
    (-46.6, -23.5), // sa-east: Brazil South, Sao Paulo
    (-0.1, 51.5),   // eu-west: UK South, London
    (8.7, 50.1),    // eu-central: Germany West Central, Frankfurt
    (55.3, 25.2),   // me: UAE North, Dubai
    (28.0, -26.2),  // af-south: South Africa North, Johannesburg
    (73.9, 18.5),   // ap-south: Central India, Pune
    (103.8, 1.35),  // ap-southeast: Southeast Asia, Singapore
    (114.2, 22.3),  // ap-east: East Asia, Hong Kong
    (139.7, 35.7),  // ap-northeast: Japan East, Tokyo
    (151.2, -33.9), // oceania: Australia East, Sydney
];

/// Where `name` is on the map: (longitude, latitude) in degrees.
pub fn location(name: &str) -> Option<(f64, f64)> {
    REGIONS
        .iter()
        .position(|r| *r == name)
        .map(|i| REGION_LOCATIONS[i])
}

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

    #[test]
    fn every_region_is_on_the_map() {
        let london = location("eu-west").expect("eu-west");
        assert!(london.0.abs() < 1.0 && (london.1 - 51.5).abs() < 1.0);
        let sydney = location("oceania").expect("oceania");
        assert!(sydney.0 > 150.0 && sydney.1 < -30.0);
        assert!(
            REGION_LOCATIONS
                .iter()
                .all(|(lon, lat)| lon.abs() <= 180.0 && lat.abs() <= 90.0)
        );
        assert_eq!(location("mars"), None);
    }
}
