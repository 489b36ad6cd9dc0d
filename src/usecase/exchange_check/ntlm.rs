//! NTLMv2 client messages (MS-NLMP) for EWS on Exchange Server, whose `/EWS` directory offers
//! NTLM (and Negotiate, which accepts a raw NTLM token) by default.
//!
//! Written here on RustCrypto's MD4 / HMAC-MD5 rather than taken from an NTLM crate: the one
//! maintained client crate (`ntlmclient`) brings `chrono`, `rand`, DES and the `windows` crate
//! for what is ~150 lines; these functions are pinned to MS-NLMP 4.2.4's test vectors below.
//! Only NTLMv2 is produced (LM/NTLMv1 are refused by current Windows defaults), without
//! signing or sealing: HTTP authentication needs neither, the connection is TLS.

use hmac::{Hmac, KeyInit, Mac};
use md4::{Digest, Md4};
use md5::Md5;

const SIGNATURE: &[u8; 8] = b"NTLMSSP\0";
const NEGOTIATE_UNICODE: u32 = 0x0000_0001;
const REQUEST_TARGET: u32 = 0x0000_0004;
const NEGOTIATE_NTLM: u32 = 0x0000_0200;
const NEGOTIATE_ALWAYS_SIGN: u32 = 0x0000_8000;
const NEGOTIATE_EXTENDED_SESSIONSECURITY: u32 = 0x0008_0000;
const NEGOTIATE_TARGET_INFO: u32 = 0x0080_0000;
const NEGOTIATE_128: u32 = 0x2000_0000;
const NEGOTIATE_56: u32 = 0x8000_0000;
/// What the client asks for: Unicode, NTLM with extended session security (NTLMv2).
pub(super) const CLIENT_FLAGS: u32 = NEGOTIATE_UNICODE
    | REQUEST_TARGET
    | NEGOTIATE_NTLM
    | NEGOTIATE_ALWAYS_SIGN
    | NEGOTIATE_EXTENDED_SESSIONSECURITY
    | NEGOTIATE_TARGET_INFO
    | NEGOTIATE_128
    | NEGOTIATE_56;
/// AV pair ID of the server's timestamp (MsvAvTimestamp).
const AV_TIMESTAMP: u16 = 7;

/// The first message: what the client supports (no domain or workstation supplied).
pub(super) fn negotiate() -> Vec<u8> {
    let mut m = Vec::with_capacity(32);
    m.extend_from_slice(SIGNATURE);
    m.extend_from_slice(&1u32.to_le_bytes());
    m.extend_from_slice(&CLIENT_FLAGS.to_le_bytes());
    m.extend_from_slice(&[0u8; 16]); // empty domain and workstation fields
    m
}

/// What the server's CHALLENGE_MESSAGE carries that the answer needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Challenge {
    pub flags: u32,
    pub server_challenge: [u8; 8],
    /// The AV pairs, echoed inside the NTLMv2 response.
    pub target_info: Vec<u8>,
}

/// Reads a CHALLENGE_MESSAGE; `None` if it is not one.
pub(super) fn parse_challenge(m: &[u8]) -> Option<Challenge> {
    if m.len() < 48 || &m[..8] != SIGNATURE || u32_at(m, 8)? != 2 {
        return None;
    }
    let flags = u32_at(m, 20)?;
    let server_challenge = m[24..32].try_into().ok()?;
    let target_info = field(m, 40)?.to_vec();
    Some(Challenge {
        flags,
        server_challenge,
        target_info,
    })
}

/// The third message, for `user` in `domain` (empty for a UPN login).
/// `client_challenge` is 8 random bytes; `now` is the time as a Windows FILETIME, used only
/// when the server sent no timestamp.
pub(super) fn authenticate(
    challenge: &Challenge,
    user: &str,
    domain: &str,
    password: &str,
    client_challenge: [u8; 8],
    now: u64,
) -> Vec<u8> {
    let key = nt_owf_v2(password, user, domain);
    let server_time = av_pair(&challenge.target_info, AV_TIMESTAMP)
        .and_then(|v| v.try_into().ok())
        .map(u64::from_le_bytes);
    let time = server_time.unwrap_or(now);
    let nt = nt_response_v2(
        &key,
        &challenge.server_challenge,
        &client_challenge,
        time,
        &challenge.target_info,
    );
    // With a server timestamp the LMv2 response must be zeros (MS-NLMP 3.3.2).
    let lm = if server_time.is_some() {
        vec![0u8; 24]
    } else {
        lm_response_v2(&key, &challenge.server_challenge, &client_challenge)
    };
    let unicode = challenge.flags & NEGOTIATE_UNICODE != 0;
    let text = |s: &str| {
        if unicode {
            utf16(s)
        } else {
            s.as_bytes().to_vec()
        }
    };
    let payloads = [lm, nt, text(domain), text(user), Vec::new(), Vec::new()];
    let flags = CLIENT_FLAGS & challenge.flags | if unicode { NEGOTIATE_UNICODE } else { 0 };
    let header_len = 64usize;
    let mut m = Vec::with_capacity(header_len + payloads.iter().map(Vec::len).sum::<usize>());
    m.extend_from_slice(SIGNATURE);
    m.extend_from_slice(&3u32.to_le_bytes());
    let mut offset = header_len;
    for p in &payloads {
        let len = p.len() as u16;
        m.extend_from_slice(&len.to_le_bytes());
        m.extend_from_slice(&len.to_le_bytes());
        m.extend_from_slice(&(offset as u32).to_le_bytes());
        offset += p.len();
    }
    m.extend_from_slice(&flags.to_le_bytes());
    for p in &payloads {
        m.extend_from_slice(p);
    }
    m
}

/// NTOWFv2: HMAC-MD5(MD4(UTF-16LE(password)), UTF-16LE(UPPER(user) + domain)).
pub(super) fn nt_owf_v2(password: &str, user: &str, domain: &str) -> [u8; 16] {
    let nt_hash = Md4::digest(utf16(password));
    hmac_md5(&nt_hash, &[&utf16(&(user.to_uppercase() + domain))])
}

/// NTLMv2 response: NTProofStr followed by the client's blob.
pub(super) fn nt_response_v2(
    key: &[u8; 16],
    server_challenge: &[u8; 8],
    client_challenge: &[u8; 8],
    time: u64,
    target_info: &[u8],
) -> Vec<u8> {
    let mut blob = Vec::with_capacity(32 + target_info.len());
    blob.extend_from_slice(&[1, 1, 0, 0, 0, 0, 0, 0]);
    blob.extend_from_slice(&time.to_le_bytes());
    blob.extend_from_slice(client_challenge);
    blob.extend_from_slice(&[0; 4]);
    blob.extend_from_slice(target_info);
    blob.extend_from_slice(&[0; 4]);
    let proof = hmac_md5(key, &[server_challenge, &blob]);
    let mut out = proof.to_vec();
    out.extend_from_slice(&blob);
    out
}

/// LMv2 response: HMAC-MD5(key, server ‖ client challenge) ‖ client challenge.
pub(super) fn lm_response_v2(
    key: &[u8; 16],
    server_challenge: &[u8; 8],
    client_challenge: &[u8; 8],
) -> Vec<u8> {
    let mut out = hmac_md5(key, &[server_challenge, client_challenge]).to_vec();
    out.extend_from_slice(client_challenge);
    out
}

/// The current time as a Windows FILETIME (100 ns since 1601-01-01).
pub(super) fn filetime_now() -> u64 {
    const UNIX_TO_1601: u64 = 11_644_473_600;
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    (since.as_secs() + UNIX_TO_1601) * 10_000_000 + u64::from(since.subsec_nanos() / 100)
}

/// 8 bytes from the operating system's random source.
pub(super) fn client_challenge() -> Result<[u8; 8], String> {
    let mut c = [0u8; 8];
    getrandom::getrandom(&mut c).map_err(|e| format!("no random bytes for NTLM: {e}"))?;
    Ok(c)
}

/// `DOMAIN\user` splits; `user@domain` (a UPN) is given whole with an empty domain, as Windows
/// does.
pub(super) fn split_account(account: &str) -> (&str, &str) {
    match account.split_once('\\') {
        Some((domain, user)) => (user, domain),
        None => (account, ""),
    }
}

fn hmac_md5(key: &[u8], parts: &[&[u8]]) -> [u8; 16] {
    let mut mac = <Hmac<Md5> as KeyInit>::new_from_slice(key).expect("HMAC takes any key length");
    for p in parts {
        mac.update(p);
    }
    mac.finalize().into_bytes().into()
}

fn utf16(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

fn u32_at(m: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(m.get(at..at + 4)?.try_into().ok()?))
}

/// A (length, max length, offset) field's bytes.
fn field(m: &[u8], at: usize) -> Option<&[u8]> {
    let len = usize::from(u16::from_le_bytes(m.get(at..at + 2)?.try_into().ok()?));
    let offset = u32_at(m, at + 4)? as usize;
    m.get(offset..offset.checked_add(len)?)
}

/// The value of AV pair `id` in a target info block.
fn av_pair(info: &[u8], id: u16) -> Option<&[u8]> {
    let mut at = 0;
    while at + 4 <= info.len() {
        let this = u16::from_le_bytes([info[at], info[at + 1]]);
        let len = usize::from(u16::from_le_bytes([info[at + 2], info[at + 3]]));
        if this == 0 {
            return None;
        }
        let value = info.get(at + 4..at + 4 + len)?;
        if this == id {
            return Some(value);
        }
        at += 4 + len;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        s.split_whitespace()
            .map(|b| u8::from_str_radix(b, 16).unwrap())
            .collect()
    }

    // MS-NLMP 4.2.4 (NTLMv2 authentication): User "User", domain "Domain", password
    // "Password", server challenge 0123456789abcdef, client challenge aa×8, time 0, the
    // server's AV pairs NbDomainName "Domain" and NbComputerName "Server".
    const SERVER: [u8; 8] = [0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef];
    const CLIENT: [u8; 8] = [0xaa; 8];

    fn target_info() -> Vec<u8> {
        let mut t = vec![0x02, 0x00, 0x0c, 0x00];
        t.extend(utf16("Domain"));
        t.extend([0x01, 0x00, 0x0c, 0x00]);
        t.extend(utf16("Server"));
        t.extend([0, 0, 0, 0]);
        t
    }

    #[test]
    fn ms_nlmp_4_2_4_vectors() {
        let key = nt_owf_v2("Password", "User", "Domain");
        assert_eq!(
            key.to_vec(),
            hex("0c 86 8a 40 3b fd 7a 93 a3 00 1e f2 2e f0 2e 3f")
        );
        assert_eq!(
            lm_response_v2(&key, &SERVER, &CLIENT),
            hex("86 c3 50 97 ac 9c ec 10 25 54 76 4a 57 cc cc 19 aa aa aa aa aa aa aa aa")
        );
        let nt = nt_response_v2(&key, &SERVER, &CLIENT, 0, &target_info());
        assert_eq!(
            nt[..16].to_vec(),
            hex("68 cd 0a b8 51 e5 1c 96 aa bc 92 7b eb ef 6a 1c")
        );
        // The session base key (HMAC of the proof) completes the vector set.
        assert_eq!(
            hmac_md5(&key, &[&nt[..16]]).to_vec(),
            hex("8d e4 0c ca db c1 4a 82 f1 5c b0 ad 0d e9 5c a3")
        );
    }

    fn challenge_message(info: &[u8]) -> Vec<u8> {
        let mut m = SIGNATURE.to_vec();
        m.extend(2u32.to_le_bytes());
        m.extend([0, 0, 0, 0, 48, 0, 0, 0]); // empty target name
        m.extend(CLIENT_FLAGS.to_le_bytes());
        m.extend(SERVER);
        m.extend([0; 8]);
        m.extend((info.len() as u16).to_le_bytes());
        m.extend((info.len() as u16).to_le_bytes());
        m.extend(48u32.to_le_bytes());
        m.extend(info);
        m
    }

    #[test]
    fn a_challenge_is_read_and_answered_with_its_fields_in_place() {
        let c = parse_challenge(&challenge_message(&target_info())).unwrap();
        assert_eq!(c.server_challenge, SERVER);
        assert_eq!(c.target_info, target_info());
        let m = authenticate(&c, "User", "Domain", "Password", CLIENT, 0);
        assert_eq!(&m[..8], SIGNATURE);
        assert_eq!(u32_at(&m, 8), Some(3));
        // No server timestamp: LMv2 is computed, the NT response uses `now`.
        assert_eq!(
            field(&m, 12).unwrap(),
            lm_response_v2(&nt_owf_v2("Password", "User", "Domain"), &SERVER, &CLIENT)
        );
        assert_eq!(
            &field(&m, 20).unwrap()[..16],
            &hex("68 cd 0a b8 51 e5 1c 96 aa bc 92 7b eb ef 6a 1c")[..]
        );
        assert_eq!(field(&m, 28).unwrap(), utf16("Domain"));
        assert_eq!(field(&m, 36).unwrap(), utf16("User"));
        assert!(parse_challenge(b"NTLMSSP\0\x01\0\0\0").is_none());
        assert!(parse_challenge(&[0u8; 64]).is_none());
    }

    #[test]
    fn a_server_timestamp_is_used_and_zeroes_lmv2() {
        let mut info = vec![0x07, 0x00, 0x08, 0x00];
        info.extend(42u64.to_le_bytes());
        info.extend([0, 0, 0, 0]);
        let c = parse_challenge(&challenge_message(&info)).unwrap();
        let m = authenticate(&c, "u", "", "p", CLIENT, 999);
        assert_eq!(field(&m, 12).unwrap(), &[0u8; 24][..]);
        let nt = field(&m, 20).unwrap();
        assert_eq!(&nt[24..32], &42u64.to_le_bytes());
    }

    #[test]
    fn accounts_split_as_windows_does() {
        assert_eq!(split_account("CONTOSO\\svc-scc"), ("svc-scc", "CONTOSO"));
        assert_eq!(split_account("svc@contoso.com"), ("svc@contoso.com", ""));
        assert!(filetime_now() > 130_000_000_000_000_000);
    }
}
