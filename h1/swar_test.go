package h1

import "testing"

// TestSkipScanners checks the SWAR scanners against the byte classes: for
// every byte value at every position of a block, the scanner must stop at
// or before a byte that the byte loop would stop at.
func TestSkipScanners(t *testing.T) {
	for c := range 256 {
		for pos := range 8 {
			b := []byte("abcdefghabcdefgh")
			b[8+pos] = byte(c)
			v := skipValueBytes(b, 0)
			if !valueChar[c] || c == '\t' {
				if v > 8 {
					t.Errorf("skipValueBytes skipped %#x at %d", c, pos)
				}
			} else if v != 16 {
				t.Errorf("skipValueBytes stopped at %d for %#x", v, c)
			}
			tg := skipTargetBytes(b, 0)
			if c <= ' ' || c >= 0x7f {
				if tg > 8 {
					t.Errorf("skipTargetBytes skipped %#x at %d", c, pos)
				}
			} else if tg != 16 {
				t.Errorf("skipTargetBytes stopped at %d for %#x", tg, c)
			}
		}
	}
}
