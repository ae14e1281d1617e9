//! A minimal, byte-stable ZIP archive writer: entries are stored (not compressed), in the
//! order given, with a fixed timestamp (1980-01-01 00:00) and `rw-r--r--` permissions, so the
//! same files always give the same bytes. Used for the streaming function of `@searchable`.

/// One file of an archive.
pub struct Entry<'a> {
    pub name: &'a str,
    pub data: &'a [u8],
}

const VERSION: u16 = 20;
/// "Made by" Unix (3), so the external attributes carry the file mode.
const MADE_BY: u16 = (3 << 8) | VERSION;
/// 1980-01-01 in MS-DOS date format; 00:00:00 is time 0.
const DOS_DATE: u16 = (1 << 5) | 1;
const FILE_MODE: u32 = 0o100644;

/// The archive's bytes.
pub fn archive(entries: &[Entry]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for e in entries {
        let offset = out.len() as u32;
        let crc = crc32(e.data);
        let size = e.data.len() as u32;
        let name = e.name.as_bytes();
        // Local file header.
        put32(&mut out, 0x0403_4b50);
        put16(&mut out, VERSION);
        put16(&mut out, 0); // flags
        put16(&mut out, 0); // stored
        put16(&mut out, 0); // time
        put16(&mut out, DOS_DATE);
        put32(&mut out, crc);
        put32(&mut out, size);
        put32(&mut out, size);
        put16(&mut out, name.len() as u16);
        put16(&mut out, 0); // extra
        out.extend_from_slice(name);
        out.extend_from_slice(e.data);
        // Central directory header.
        put32(&mut central, 0x0201_4b50);
        put16(&mut central, MADE_BY);
        put16(&mut central, VERSION);
        put16(&mut central, 0);
        put16(&mut central, 0);
        put16(&mut central, 0);
        put16(&mut central, DOS_DATE);
        put32(&mut central, crc);
        put32(&mut central, size);
        put32(&mut central, size);
        put16(&mut central, name.len() as u16);
        put16(&mut central, 0); // extra
        put16(&mut central, 0); // comment
        put16(&mut central, 0); // disk
        put16(&mut central, 0); // internal attributes
        put32(&mut central, FILE_MODE << 16);
        put32(&mut central, offset);
        central.extend_from_slice(name);
    }
    let central_offset = out.len() as u32;
    let central_size = central.len() as u32;
    out.extend_from_slice(&central);
    // End of central directory.
    put32(&mut out, 0x0605_4b50);
    put16(&mut out, 0);
    put16(&mut out, 0);
    put16(&mut out, entries.len() as u16);
    put16(&mut out, entries.len() as u16);
    put32(&mut out, central_size);
    put32(&mut out, central_offset);
    put16(&mut out, 0);
    out
}

fn put16(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn put32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

/// CRC-32 (IEEE), as ZIP requires.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_matches_the_standard_check_value() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    }

    #[test]
    fn the_same_files_give_the_same_bytes() {
        let files = [Entry {
            name: "a.py",
            data: b"print(1)\n",
        }];
        let a = archive(&files);
        assert_eq!(a, archive(&files));
        assert_eq!(&a[..4], b"PK\x03\x04");
        assert_eq!(&a[a.len() - 22..a.len() - 18], b"PK\x05\x06");
    }
}
