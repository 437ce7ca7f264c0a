//! Who is asking: the layer that identifies every request (`identify`), the session cookie
//! (`cookie`), the client's address behind trusted proxies (`proxies`). What an identified
//! caller may do is the service's to decide.

mod cookie;
mod identify;
mod proxies;

pub use cookie::{clear_session, cookie_value, session_token, set_session};
pub use identify::{identify, Authenticator, Client, SignedIn};
pub use proxies::{Network, TrustedProxies};
