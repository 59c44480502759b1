package h1

import "time"

// AppendHTTPDate appends t in the IMF-fixdate format of RFC 9110 §5.6.7,
// "Sun, 06 Nov 1994 08:49:37 GMT", always in UTC, to dst. It does not
// allocate. Years outside 0-9999 cannot be written in this format and are
// written modulo 10000. A server formats the Date field once a second and reuses it.
func AppendHTTPDate(dst []byte, t time.Time) []byte {
	const days = "SunMonTueWedThuFriSat"
	const months = "JanFebMarAprMayJunJulAugSepOctNovDec"
	t = t.UTC()
	year, month, day := t.Date()
	hour, minute, sec := t.Clock()
	wd := int(t.Weekday()) * 3
	mo := (int(month) - 1) * 3
	dst = append(dst, days[wd:wd+3]...)
	dst = append(dst, ',', ' ')
	dst = append2(dst, day)
	dst = append(dst, ' ')
	dst = append(dst, months[mo:mo+3]...)
	dst = append(dst, ' ')
	dst = append2(dst, year/100%100)
	dst = append2(dst, year%100)
	dst = append(dst, ' ')
	dst = append2(dst, hour)
	dst = append(dst, ':')
	dst = append2(dst, minute)
	dst = append(dst, ':')
	dst = append2(dst, sec)
	return append(dst, " GMT"...)
}

// append2 appends v, 0 <= v < 100, as two digits.
func append2(dst []byte, v int) []byte {
	return append(dst, byte('0'+v/10), byte('0'+v%10))
}
