//! Unsigned numbers as decimal ASCII, without `fmt`: the signer's
//! `KeyTime` and the C ABI's JSON pages both write them on every call.

/// The decimal digits of `n`, written at the end of `buf`.
pub(crate) fn digits(mut n: u64, buf: &mut [u8; 20]) -> &[u8] {
    let mut at = buf.len();
    loop {
        at -= 1;
        buf[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            return &buf[at..];
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn digits_are_exact() {
        for n in [0, 7, 10, 12345, u64::MAX] {
            assert_eq!(super::digits(n, &mut [0; 20]), n.to_string().as_bytes());
        }
    }
}
