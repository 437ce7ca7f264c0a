//! The client's address behind reverse proxies: `X-Forwarded-For` is believed only when the
//! connection itself comes from a proxy the operator named (`--trusted-proxy CIDR`), since any
//! client can send the header.

use axum::http::HeaderMap;
use std::net::IpAddr;
use std::str::FromStr;

/// One `--trusted-proxy` network: an address and a prefix length.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Network {
    address: IpAddr,
    prefix: u8,
}

impl FromStr for Network {
    type Err = String;

    fn from_str(raw: &str) -> Result<Network, String> {
        let (address, prefix) = match raw.split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (raw, None),
        };
        let address: IpAddr = address
            .parse()
            .map_err(|_| format!("{raw:?} is not an address or network such as 10.0.0.0/8"))?;
        let bits = if address.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(prefix) => prefix
                .parse::<u8>()
                .ok()
                .filter(|prefix| *prefix <= bits)
                .ok_or_else(|| format!("{raw:?}: the prefix length must be 0 to {bits}"))?,
            None => bits,
        };
        Ok(Network { address, prefix })
    }
}

impl Network {
    fn contains(&self, candidate: IpAddr) -> bool {
        match (self.address, candidate) {
            (IpAddr::V4(network), IpAddr::V4(candidate)) => {
                same_prefix(&network.octets(), &candidate.octets(), self.prefix)
            }
            (IpAddr::V6(network), IpAddr::V6(candidate)) => {
                same_prefix(&network.octets(), &candidate.octets(), self.prefix)
            }
            _ => false,
        }
    }
}

fn same_prefix(network: &[u8], candidate: &[u8], prefix: u8) -> bool {
    let (whole, rest) = (usize::from(prefix / 8), prefix % 8);
    if network[..whole] != candidate[..whole] {
        return false;
    }
    if rest == 0 {
        return true;
    }
    let mask = 0xff_u8 << (8 - rest);
    network[whole] & mask == candidate[whole] & mask
}

/// The proxies whose `X-Forwarded-For` is believed.
#[derive(Clone, Debug, Default)]
pub struct TrustedProxies(Vec<Network>);

impl TrustedProxies {
    pub fn new(networks: Vec<Network>) -> TrustedProxies {
        TrustedProxies(networks)
    }

    fn trusts(&self, address: IpAddr) -> bool {
        self.0.iter().any(|network| network.contains(address))
    }

    /// The client behind `peer`: the peer itself unless it is a trusted proxy; then the
    /// right-most address of `X-Forwarded-For` that is not a trusted proxy too (each proxy
    /// appends what it saw, so the addresses left of the first untrusted one are the
    /// client's to forge).
    pub fn client_address(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        if !self.trusts(peer) {
            return peer;
        }
        let forwarded = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .map(str::trim)
            .collect::<Vec<_>>();
        let mut client = peer;
        for hop in forwarded.iter().rev() {
            let Ok(address) = hop.parse::<IpAddr>() else {
                // A hop that is no address: nothing left of it can be believed.
                break;
            };
            client = address;
            if !self.trusts(address) {
                break;
            }
        }
        client
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn forwarded(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-forwarded-for",
            HeaderValue::from_str(value).expect("header"),
        );
        headers
    }

    fn proxies(networks: &[&str]) -> TrustedProxies {
        TrustedProxies::new(
            networks
                .iter()
                .map(|network| network.parse().expect("network"))
                .collect(),
        )
    }

    #[test]
    fn networks_parse_and_match_by_prefix() {
        let network: Network = "10.1.0.0/16".parse().expect("network");
        assert!(network.contains("10.1.200.3".parse().expect("address")));
        assert!(!network.contains("10.2.0.1".parse().expect("address")));
        let odd: Network = "192.168.0.128/25".parse().expect("network");
        assert!(odd.contains("192.168.0.200".parse().expect("address")));
        assert!(!odd.contains("192.168.0.127".parse().expect("address")));
        let single: Network = "::1".parse().expect("network");
        assert!(single.contains("::1".parse().expect("address")));
        assert!(!single.contains("127.0.0.1".parse().expect("address")));
        assert!("10.0.0.0/33".parse::<Network>().is_err());
        assert!("proxy.example".parse::<Network>().is_err());
    }

    #[test]
    fn forwarded_for_counts_only_from_a_trusted_proxy() {
        let trusted = proxies(&["10.0.0.0/8"]);
        let client: IpAddr = "203.0.113.9".parse().expect("address");
        let proxy: IpAddr = "10.0.0.2".parse().expect("address");
        assert_eq!(
            trusted.client_address(proxy, &forwarded("203.0.113.9")),
            client
        );
        // A client that is no proxy cannot name another address for itself.
        let stranger: IpAddr = "198.51.100.1".parse().expect("address");
        assert_eq!(
            trusted.client_address(stranger, &forwarded("203.0.113.9")),
            stranger
        );
        // Addresses left of the first untrusted hop are the client's own claims.
        assert_eq!(
            trusted.client_address(proxy, &forwarded("1.2.3.4, 203.0.113.9, 10.0.0.7")),
            client
        );
        assert_eq!(
            trusted.client_address(proxy, &forwarded("garbage, 203.0.113.9")),
            client
        );
        assert_eq!(trusted.client_address(proxy, &HeaderMap::new()), proxy);
    }
}
