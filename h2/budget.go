package h2

// The DoS budgets. Each is a named Config limit with a default; exceeding
// one ends the connection with GOAWAY(ENHANCE_YOUR_CALM).
//
//   - MaxResets: rapid reset (CVE-2023-44487) and MadeYouReset
//     (CVE-2025-8671). Every stream the peer resets while it is open, and
//     every stream the engine resets because of a frame the peer sent
//     (a malformed request, a WINDOW_UPDATE overflow, DATA on a
//     half-closed stream, REFUSED_STREAM…), spends one unit; every stream
//     that completes normally earns one back, up to MaxResets.
//   - MaxIdleFrames: floods of frames that cost work but make no progress
//     (CVE-2019-9512 PING, 9515 SETTINGS, 9516/9518 empty frames, and
//     PRIORITY, WINDOW_UPDATE, unknown frames, and DATA or HEADERS on
//     streams closed too long ago to be remembered): each kind is counted
//     separately and the counts restart when the peer makes progress (opens
//     a stream or sends data).
//   - MaxControlQueue: control frames queued for a peer that does not read
//     them (CVE-2019-9512, 9515).
//   - MaxHeaderBlockBytes and MaxContinuationFrames: the CONTINUATION flood,
//     checked as each frame header arrives, before its payload is stored.
//   - MaxHeaderListSize and MaxHeaderFields: the HPACK bomb, enforced by the
//     HPACK decoder as it decodes (431 for a request, else a stream error).

// idleKind is a kind of frame counted by MaxIdleFrames.
type idleKind uint8

const (
	idlePing idleKind = iota
	idleSettings
	idlePriority
	idleWindowUpdate
	idleEmpty
	idleUnknown
	idleClosed // DATA or HEADERS on a stream closed too long ago to be remembered
	numIdleKinds
)

var idleKindNames = [numIdleKinds]string{
	idlePing:         "PING flood",
	idleSettings:     "SETTINGS flood",
	idlePriority:     "PRIORITY flood",
	idleWindowUpdate: "WINDOW_UPDATE flood",
	idleEmpty:        "empty frame flood",
	idleUnknown:      "unknown frame flood",
	idleClosed:       "frames on long-closed streams",
}

// idleFrame counts one frame of kind k.
func (c *Conn) idleFrame(k idleKind) error {
	c.idle[k]++
	if c.idle[k] > c.cfg.MaxIdleFrames {
		return connError(ErrCodeEnhanceYourCalm, idleKindNames[k])
	}
	return nil
}

// progress restarts the idle-frame counts.
func (c *Conn) progress() { c.idle = [numIdleKinds]int{} }

// spendReset spends one unit of the reset budget.
func (c *Conn) spendReset() error {
	c.resetBudget--
	if c.resetBudget < 0 {
		return connError(ErrCodeEnhanceYourCalm, "too many stream resets")
	}
	return nil
}

// checkCtrl ends the connection when the peer lets control frames pile up.
func (c *Conn) checkCtrl() error {
	if len(c.ctrl) > c.cfg.MaxControlQueue {
		return connError(ErrCodeEnhanceYourCalm, "control frames queued for a peer that does not read")
	}
	return nil
}
